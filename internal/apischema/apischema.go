// Package apischema generates, from the Go types of fn/api/v1alpha1 and
// their doc comments, the JSON Schema of krm-flink's two input kinds (for
// editors through yaml-language-server and for kubeconform-style checks)
// and the field reference tables of README.md.
package apischema

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/invopop/jsonschema"
	orderedmap "github.com/pb33f/ordered-map/v2"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
)

// apiPackage is the Go package of the input types; apiDir its folder in the repository.
const (
	apiPackage = "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	apiDir     = "fn/api/v1alpha1"
)

// Files are what Generate writes, relative to the repository root.
const (
	// CombinedSchema validates either kind, chosen by its kind field.
	CombinedSchema = "schema/krm-flink.json"
	// README holds the generated reference between markers.
	README = "README.md"
)

// KindSchema is the schema file of one kind, laid out as kubeconform's
// -schema-location 'schema/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json' reads it.
func KindSchema(kind string) string {
	return fmt.Sprintf("schema/%s/%s_%s.json", api.Group, strings.ToLower(kind), api.Version)
}

// Generate returns every generated file, by path relative to the
// repository root, the README with its reference sections replaced; root
// is the repository's folder.
func Generate(root string, readme []byte) (map[string][]byte, error) {
	g, err := newGenerator(root)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	// A session cluster is read into the FlinkJobSpec type (validation
	// refuses the job-only fields), so its schema is that one, renamed,
	// and README documents it beside FlinkJobSpec instead of in a table.
	kinds := []struct {
		kind, goName string
		v            any
		table        bool
	}{
		{api.KindPlatform, "FlinkPlatform", &api.FlinkPlatform{}, true},
		{api.KindJob, "FlinkJobSpec", &api.FlinkJobSpec{}, true},
		{api.KindSession, "FlinkJobSpec", &api.FlinkJobSpec{}, false},
		{api.KindSessionJob, "FlinkSessionJobSpec", &api.FlinkSessionJobSpec{}, true},
	}
	combined := &jsonschema.Schema{
		Version:     jsonschema.Version,
		ID:          "https://krm-flink.io/schema/krm-flink.json",
		Title:       "krm-flink input (FlinkPlatform, FlinkJobSpec, FlinkSessionSpec or FlinkSessionJobSpec)",
		Definitions: jsonschema.Definitions{},
		Required:    []string{"apiVersion", "kind"},
	}
	for _, k := range kinds {
		s := g.reflect(k.v, k.goName, k.kind)
		data, err := encode(s)
		if err != nil {
			return nil, err
		}
		out[KindSchema(k.kind)] = data
		for name, d := range s.Definitions {
			combined.Definitions[name] = d
		}
		combined.AllOf = append(combined.AllOf, &jsonschema.Schema{
			If:   &jsonschema.Schema{Properties: props("kind", &jsonschema.Schema{Const: k.kind}), Required: []string{"kind"}},
			Then: &jsonschema.Schema{Ref: "#/$defs/" + k.kind},
		})
		if !k.table {
			continue
		}
		section, err := referenceTable(s, k.kind)
		if err != nil {
			return nil, err
		}
		readme, err = replaceSection(readme, k.kind, section)
		if err != nil {
			return nil, err
		}
	}
	data, err := encode(combined)
	if err != nil {
		return nil, err
	}
	out[CombinedSchema] = data
	out[README] = readme
	return out, nil
}

type generator struct {
	comments map[string]string       // "Type.Field" or "Type": doc text, markers kept
	types    map[string]reflect.Type // definition name: its struct type
}

func newGenerator(root string) (*generator, error) {
	r := &jsonschema.Reflector{}
	dir := filepath.Join(root, apiDir)
	if err := r.AddGoComments(apiPackage, dir, jsonschema.WithFullComment()); err != nil {
		return nil, fmt.Errorf("reading the doc comments of %s: %w", dir, err)
	}
	// AddGoComments names a folder's package base + folder; map that back
	// to the package path.
	prefix := path.Join(apiPackage, filepath.ToSlash(dir)) + "."
	g := &generator{comments: map[string]string{}, types: map[string]reflect.Type{}}
	for k, v := range r.CommentMap {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			g.comments[rest] = v
		}
	}
	return g, nil
}

var (
	rawMessage  = reflect.TypeFor[json.RawMessage]()
	flinkConfig = reflect.TypeFor[api.FlinkConfiguration]()
	unmarshaler = reflect.TypeFor[json.Unmarshaler]()
)

func (g *generator) reflect(v any, goName, kind string) *jsonschema.Schema {
	r := &jsonschema.Reflector{
		RequiredFromJSONSchemaTags: true, // required comes from +required markers, below
		LookupComment: func(t reflect.Type, field string) string {
			if t.PkgPath() != apiPackage {
				return ""
			}
			key := t.Name()
			if field != "" {
				key += "." + field
			}
			return description(g.comments[key])
		},
		Mapper: g.mapType,
	}
	s := r.Reflect(v)
	for name, d := range s.Definitions {
		t, ok := g.types[name]
		if !ok || d.Properties == nil {
			continue
		}
		d.Required = nil
		for _, f := range jsonFields(t) {
			if strings.Contains(g.comments[f.owner+"."+f.goName], "+required") {
				d.Required = append(d.Required, f.name)
			}
		}
	}
	top := s.Definitions[goName]
	if goName != kind {
		delete(s.Definitions, goName)
		s.Definitions[kind] = top
		s.Ref = "#/$defs/" + kind
	}
	if kind == api.KindSession {
		// A session cluster runs no job of its own.
		if spec, ok := s.Definitions["JobSpec"]; ok {
			spec.Required = slices.DeleteFunc(spec.Required, func(f string) bool { return f == "jarURI" })
		}
	}
	top.Required = []string{"apiVersion", "kind", "metadata", "spec"}
	if p, ok := top.Properties.Get("apiVersion"); ok {
		p.Const = api.APIVersion
	}
	if p, ok := top.Properties.Get("kind"); ok {
		p.Const = kind
	}
	s.ID = jsonschema.ID("https://krm-flink.io/" + KindSchema(kind))
	s.Title = kind + " (" + api.APIVersion + ")"
	return s
}

// mapType gives the types whose JSON is not their Go shape a schema of
// their own, and records struct types for the +required pass.
func (g *generator) mapType(t reflect.Type) *jsonschema.Schema {
	switch {
	case t == flinkConfig:
		value := &jsonschema.Schema{AnyOf: []*jsonschema.Schema{
			{Type: "string"}, {Type: "number"}, {Type: "boolean"}, {Type: "null"},
			{Type: "object", Description: "nested keys (Flink operator 1.13+), joined with dots"},
		}}
		return &jsonschema.Schema{Type: "object", AdditionalProperties: value, Description: description(g.comments["FlinkConfiguration"])}
	case t == rawMessage:
		return &jsonschema.Schema{Type: "object"}
	case strings.HasPrefix(t.PkgPath(), "k8s.io/"):
		return &jsonschema.Schema{Type: "object", Description: fmt.Sprintf("a Kubernetes %s.%s (%s), checked by krm-flink", path.Base(t.PkgPath()), t.Name(), t.PkgPath())}
	case t.PkgPath() == apiPackage && (t.Implements(unmarshaler) || reflect.PointerTo(t).Implements(unmarshaler)):
		// A type that reads more than one shape: open, documented.
		return &jsonschema.Schema{Description: description(g.comments[t.Name()])}
	case t.Kind() == reflect.Struct && t.PkgPath() == apiPackage:
		g.types[t.Name()] = t
	}
	return nil
}

type jsonField struct{ name, goName, owner string }

// jsonFields lists a struct's JSON fields, inlined structs' included.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" && (f.Anonymous || strings.Contains(opts, "inline")) && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{name, f.Name, t.Name()})
	}
	return out
}

var marker = regexp.MustCompile(`(?m)^\s*\+\w+.*$`)

// description is a doc comment without its +optional/+required markers,
// paragraphs kept, lines joined.
func description(c string) string {
	c = marker.ReplaceAllString(c, "")
	var paras []string
	for _, p := range strings.Split(strings.TrimSpace(c), "\n\n") {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			paras = append(paras, p)
		}
	}
	return strings.Join(paras, "\n\n")
}

func props(name string, s *jsonschema.Schema) *orderedmap.OrderedMap[string, *jsonschema.Schema] {
	p := jsonschema.NewProperties()
	p.Set(name, s)
	return p
}

func encode(s *jsonschema.Schema) ([]byte, error) {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
