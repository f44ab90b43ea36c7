package chart

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"helm.sh/helm/v3/pkg/chartutil"
)

// Helm validates values against a chart's values.schema.json on every
// render and compiles the schema each time (helm v3.22,
// chartutil.ValidateAgainstSchema), which cost more than rendering the
// template itself. validateAgainstSchema does what Helm does, with the same
// library, loaders and messages, but compiles each schema once per process.

// schemaPrefix is what Helm trims from a validation error.
const schemaPrefix = "jsonschema validation failed with 'file:///values.schema.json#'\n"

type compiled struct {
	schema *jsonschema.Schema
	err    error
}

var (
	schemasMu sync.Mutex
	schemas   = map[string]*compiled{}
)

// compileSchema compiles a values.schema.json as Helm does, once per schema.
func compileSchema(schemaJSON []byte) (*jsonschema.Schema, error) {
	schemasMu.Lock()
	c, ok := schemas[string(schemaJSON)]
	schemasMu.Unlock()
	if ok {
		return c.schema, c.err
	}
	c = &compiled{}
	c.schema, c.err = compileUncached(schemaJSON)
	schemasMu.Lock()
	schemas[string(schemaJSON)] = c
	schemasMu.Unlock()
	return c.schema, c.err
}

func compileUncached(schemaJSON []byte) (s *jsonschema.Schema, reterr error) {
	defer func() {
		if r := recover(); r != nil {
			s, reterr = nil, fmt.Errorf("unable to validate schema: %s", r)
		}
	}()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	compiler := jsonschema.NewCompiler()
	compiler.UseLoader(jsonschema.SchemeURLLoader{
		"file":  jsonschema.FileLoader{},
		"http":  httpLoader(),
		"https": httpLoader(),
		"urn":   urnLoader{},
	})
	if err := compiler.AddResource("file:///values.schema.json", doc); err != nil {
		return nil, err
	}
	return compiler.Compile("file:///values.schema.json")
}

// httpLoader is chartutil's newHTTPURLLoader.
func httpLoader() *chartutil.HTTPURLLoader {
	l := chartutil.HTTPURLLoader(http.Client{
		Timeout: 15 * time.Second,
		Transport: &http.Transport{
			Proxy:           http.ProxyFromEnvironment,
			TLSClientConfig: &tls.Config{},
		},
	})
	return &l
}

// urnLoader is chartutil's: chartutil.URNResolver, else a permissive schema.
type urnLoader struct{}

var warnedURNs sync.Map

func (urnLoader) Load(urn string) (any, error) {
	if doc, err := chartutil.URNResolver(urn); err == nil && doc != nil {
		return doc, nil
	}
	if _, loaded := warnedURNs.LoadOrStore(urn, struct{}{}); !loaded {
		log.Printf("WARNING: unresolved URN reference ignored; using permissive schema: %s", urn)
	}
	return jsonschema.UnmarshalJSON(strings.NewReader("true"))
}

// validateSingle is chartutil.ValidateAgainstSingleSchema.
func validateSingle(values map[string]any, schemaJSON []byte) (reterr error) {
	defer func() {
		if r := recover(); r != nil {
			reterr = fmt.Errorf("unable to validate schema: %s", r)
		}
	}()
	s, err := compileSchema(schemaJSON)
	if err != nil {
		return err
	}
	if len(values) == 0 {
		values = map[string]any{}
	}
	if err := s.Validate(values); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), schemaPrefix) + "\n")
	}
	return nil
}

// validateAgainstSchema is chartutil.ValidateAgainstSchema.
func validateAgainstSchema(c *Chart, values map[string]any) error {
	var sb strings.Builder
	if c.Schema != nil {
		if err := validateSingle(values, c.Schema); err != nil {
			fmt.Fprintf(&sb, "%s:\n", c.Name())
			sb.WriteString(err.Error())
		}
	}
	for _, sub := range c.Dependencies() {
		raw, exists := values[sub.Name()]
		if !exists || raw == nil {
			continue
		}
		subValues, ok := raw.(map[string]any)
		if !ok {
			fmt.Fprintf(&sb, "%s:\ninvalid type for values: expected object (map), got %T\n", sub.Name(), raw)
			continue
		}
		if err := validateAgainstSchema(sub, subValues); err != nil {
			sb.WriteString(err.Error())
		}
	}
	if sb.Len() > 0 {
		return errors.New(sb.String())
	}
	return nil
}
