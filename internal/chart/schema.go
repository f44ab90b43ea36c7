package chart

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ValuesError is values that a chart's values.schema.json rejects.
type ValuesError struct {
	// Problems are one line each: the chart, where in its values, and what
	// the schema says.
	Problems []string
}

func (e *ValuesError) Error() string {
	return "values do not match the chart's values.schema.json:\n" + strings.Join(e.Problems, "\n")
}

// schemaURL names a values schema inside the compiler.
const schemaURL = "file:///values.schema.json"

// compiledSchemas caches each distinct values.schema.json compiled, keyed by
// its bytes: Helm compiles a chart's schema on every render, which costs
// more than the render itself, with the library used here.
var compiledSchemas sync.Map // string -> *compiledSchema

type compiledSchema struct {
	once   sync.Once
	schema *jsonschema.Schema
	err    error
}

// compiled returns the compiled form of a values.schema.json.
func compiled(schemaJSON []byte) (*jsonschema.Schema, error) {
	v, _ := compiledSchemas.LoadOrStore(string(schemaJSON), &compiledSchema{})
	cs := v.(*compiledSchema)
	cs.once.Do(func() { cs.schema, cs.err = compile(schemaJSON) })
	return cs.schema, cs.err
}

func compile(schemaJSON []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("values.schema.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	// Rendering never reaches the network or the disk: a schema refers
	// only to itself.
	c.UseLoader(offlineLoader{})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("values.schema.json: %w", err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("values.schema.json: %w", err)
	}
	return s, nil
}

type offlineLoader struct{}

func (offlineLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("refers to %s, which krm-flink does not fetch: inline the referenced schema", url)
}

// compileSchemas compiles the values schemas of c and its subcharts, so
// that a broken schema is an error before any template runs.
func compileSchemas(c *Chart) error {
	if c.Schema != nil {
		if _, err := compiled(c.Schema); err != nil {
			return fmt.Errorf("chart %s: %w", c.Name(), err)
		}
	}
	for _, sub := range c.Dependencies() {
		if err := compileSchemas(sub); err != nil {
			return err
		}
	}
	return nil
}

// validateValues checks values against the schemas of c and of each
// subchart that has values of its own, as Helm does at install.
func validateValues(c *Chart, values map[string]any) error {
	var problems []string
	collectProblems(c, values, &problems)
	if len(problems) > 0 {
		return &ValuesError{Problems: problems}
	}
	return nil
}

func collectProblems(c *Chart, values map[string]any, problems *[]string) {
	if c.Schema != nil {
		s, err := compiled(c.Schema)
		if err != nil {
			*problems = append(*problems, fmt.Sprintf("%s: %v", c.Name(), err))
		} else if err := s.Validate(values); err != nil {
			*problems = append(*problems, schemaProblems(c.Name(), err)...)
		}
	}
	for _, sub := range c.Dependencies() {
		raw, ok := values[sub.Name()]
		if !ok || raw == nil {
			continue
		}
		subValues, ok := raw.(map[string]any)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: values are a %T, not a map", sub.Name(), raw))
			continue
		}
		collectProblems(sub, subValues, problems)
	}
}

// schemaProblems turns a validation error into one line per failed
// location, in the library's words.
func schemaProblems(chartName string, err error) []string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []string{fmt.Sprintf("%s: %v", chartName, err)}
	}
	var out []string
	for _, line := range strings.Split(ve.Error(), "\n")[1:] {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
		if line != "" {
			out = append(out, chartName+": "+line)
		}
	}
	if len(out) == 0 {
		out = append(out, fmt.Sprintf("%s: %v", chartName, err))
	}
	return out
}
