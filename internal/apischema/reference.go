package apischema

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/invopop/jsonschema"
)

// Markers around a generated section of README.md.
func beginMarker(kind string) string {
	return "<!-- BEGIN GENERATED " + kind + " reference (make generate) -->"
}

func endMarker(kind string) string { return "<!-- END GENERATED " + kind + " reference -->" }

// replaceSection puts section between the kind's markers in readme.
func replaceSection(readme []byte, kind, section string) ([]byte, error) {
	begin, end := []byte(beginMarker(kind)), []byte(endMarker(kind))
	i := bytes.Index(readme, begin)
	j := bytes.Index(readme, end)
	if i < 0 || j < i {
		return nil, fmt.Errorf("README.md has no %q ... %q section", begin, end)
	}
	var b bytes.Buffer
	b.Write(readme[:i+len(begin)])
	b.WriteString("\n")
	b.WriteString(section)
	b.Write(readme[j:])
	return b.Bytes(), nil
}

// referenceTable is the Markdown table of every field of a kind's spec
// (and metadata), from the schema: path, type, and its description. A
// struct type met again refers to the first place it is described.
func referenceTable(s *jsonschema.Schema, kind string) (string, error) {
	w := &tableWriter{defs: s.Definitions, seen: map[string]string{}}
	top, ok := s.Definitions[kind]
	if !ok {
		return "", fmt.Errorf("no definition of %s", kind)
	}
	w.b.WriteString("| field | type | meaning |\n|---|---|---|\n")
	for _, name := range []string{"metadata", "spec"} {
		p, ok := top.Properties.Get(name)
		if !ok {
			continue
		}
		w.object(name, p)
	}
	return w.b.String(), nil
}

type tableWriter struct {
	b    strings.Builder
	defs jsonschema.Definitions
	seen map[string]string // definition name: the first path it is described at
}

func (w *tableWriter) resolve(s *jsonschema.Schema) (*jsonschema.Schema, string) {
	if name, ok := strings.CutPrefix(s.Ref, "#/$defs/"); ok {
		if d, ok := w.defs[name]; ok {
			return d, name
		}
	}
	return s, ""
}

// object writes the rows of the fields of the object at path.
func (w *tableWriter) object(path string, s *jsonschema.Schema) {
	d, name := w.resolve(s)
	if name != "" {
		w.seen[name] = path
	}
	if d.Properties == nil {
		return
	}
	required := map[string]bool{}
	for _, r := range d.Required {
		required[r] = true
	}
	for pair := d.Properties.Oldest(); pair != nil; pair = pair.Next() {
		field := path + "." + pair.Key
		ref := pair.Value
		child, _ := w.resolve(ref)
		desc := ref.Description
		if desc == "" {
			desc = child.Description
		}
		typ := typeName(child, "")
		if child.Type == "array" && child.Items != nil {
			ref = child.Items
			field += "[]"
		}
		item, name := w.resolve(ref)
		if item.Properties == nil || item.Properties.Len() == 0 {
			w.row(field, typ, desc, required[pair.Key])
			continue
		}
		if first, ok := w.seen[name]; ok && name != "" {
			w.row(field, typ, strings.TrimSpace(desc+" Fields as `"+first+"`."), required[pair.Key])
			continue
		}
		if desc != "" || required[pair.Key] {
			w.row(field, typ, desc, required[pair.Key])
		}
		w.object(field, ref)
	}
}

func (w *tableWriter) row(path, typ, desc string, required bool) {
	if required {
		desc = strings.TrimSpace("**required** " + desc)
	}
	desc = strings.ReplaceAll(desc, "\n\n", "<br>")
	desc = strings.ReplaceAll(desc, "|", `\|`)
	fmt.Fprintf(&w.b, "| `%s` | %s | %s |\n", path, typ, desc)
}

func typeName(s *jsonschema.Schema, def string) string {
	switch {
	case s.Type == "array" && s.Items != nil:
		return "list of " + typeName(s.Items, "")
	case s.Type == "object" && s.AdditionalProperties != nil && s.AdditionalProperties != jsonschema.FalseSchema && s.Properties == nil:
		if t := s.AdditionalProperties.Type; t != "" {
			return "map of " + t
		}
		return "map"
	case s.Type != "":
		return s.Type
	case s.Ref != "":
		return "object"
	case len(s.AnyOf) > 0 || len(s.OneOf) > 0 || s.Type == "":
		return "any"
	}
	return def
}
