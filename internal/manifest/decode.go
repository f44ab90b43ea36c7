package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/krm-flink/krm-flink/internal/yaml11"
)

// Documents are the YAML documents of a manifest, decoded into the plain
// maps ParseYAML wraps as objects.
//
// What a document decodes to is defined by the original pipeline, kept as
// the slow path: yaml.v3 parses the document, yaml.v3 encodes it again, and
// sigs.k8s.io/yaml reads that (YAML 1.1 through yaml.v2, then JSON: every
// number a float64). The fast path walks the yaml.v3 node tree once and
// builds the same map directly; it takes a document only when every scalar
// in it means the same to both YAML readers (no tags, aliases, merge keys,
// timestamps, YAML 1.1 booleans such as "yes", octal or hex numbers...) and
// hands anything else to the slow path, so both paths give equal maps.
type Documents struct {
	// Maps holds one map per decoded document, nil for an empty one.
	Maps []map[string]any
	// Err, when not nil, is the error of the document after the last of Maps.
	Err error
	// Slow tells whether a document needed the slow path.
	Slow bool
}

// Decode reads every YAML document of data.
func Decode(data []byte) Documents {
	if m, ok := parseLines(string(data)); ok {
		return Documents{Maps: []map[string]any{m}}
	}
	return decodeYAML(data)
}

// DecodeString is Decode of a string.
func DecodeString(s string) Documents {
	if m, ok := parseLines(s); ok {
		return Documents{Maps: []map[string]any{m}}
	}
	return decodeYAML([]byte(s))
}

// decodeYAML is Decode with yaml.v3 (the fast path on its node tree, else
// the slow path).
func decodeYAML(data []byte) Documents {
	var d Documents
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return d
		}
		if err != nil {
			d.Err = fmt.Errorf("document %d: %w", i+1, err)
			d.Slow = true
			return d
		}
		if node.Kind == 0 || len(node.Content) == 0 || node.Content[0].Tag == "!!null" {
			d.Maps = append(d.Maps, nil)
			continue
		}
		if m, ok := fastMap(node.Content[0]); ok {
			d.Maps = append(d.Maps, m)
			continue
		}
		d.Slow = true
		m, err := slowMap(&node)
		if err != nil {
			d.Err = fmt.Errorf("document %d: %w", i+1, err)
			return d
		}
		d.Maps = append(d.Maps, m)
	}
}

// slowMap is the original conversion of one document.
func slowMap(node *yaml.Node) (map[string]any, error) {
	raw, err := yaml.Marshal(node)
	if err != nil {
		return nil, err
	}
	obj := map[string]any{}
	if err := sigsyaml.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// Objects wraps the decoded documents as objects of one component, exactly
// as ParseYAML does: empty documents are skipped; a document that is not an
// object with apiVersion, kind and metadata.name is an error.
func (d Documents) Objects(component string) ([]*Object, error) {
	var out []*Object
	for i, m := range d.Maps {
		if len(m) == 0 {
			continue
		}
		o := New(component, m)
		if o.GetAPIVersion() == "" || o.GetKind() == "" || o.GetName() == "" {
			return nil, fmt.Errorf("document %d is not a Kubernetes object: it needs apiVersion, kind and metadata.name", i+1)
		}
		out = append(out, o)
	}
	if d.Err != nil {
		return nil, d.Err
	}
	return out, nil
}

// maxFastDepth bounds the fast path's recursion; deeper documents take the
// slow path, which has its own limits.
const maxFastDepth = 100

func fastMap(n *yaml.Node) (map[string]any, bool) {
	if n.Kind != yaml.MappingNode {
		return nil, false
	}
	v, ok := fastValue(n, 0, false)
	if !ok {
		return nil, false
	}
	return v.(map[string]any), true
}

// fastValue converts n; flow tells whether n is inside a flow collection.
func fastValue(n *yaml.Node, depth int, flow bool) (any, bool) {
	if depth > maxFastDepth || n.Style&yaml.TaggedStyle != 0 {
		return nil, false
	}
	flow = flow || n.Style&yaml.FlowStyle != 0
	switch n.Kind {
	case yaml.MappingNode:
		if n.Tag != "!!map" {
			return nil, false
		}
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, ok := fastKey(n.Content[i])
			if !ok {
				return nil, false
			}
			if _, dup := m[k]; dup {
				return nil, false
			}
			v, ok := fastValue(n.Content[i+1], depth+1, flow)
			if !ok {
				return nil, false
			}
			m[k] = v
		}
		return m, true
	case yaml.SequenceNode:
		if n.Tag != "!!seq" {
			return nil, false
		}
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, ok := fastValue(c, depth+1, flow)
			if !ok {
				return nil, false
			}
			l[i] = v
		}
		return l, true
	case yaml.ScalarNode:
		if flow && n.Value == "" && n.Style&quotedStyles == 0 {
			// yaml.v3 writes an empty plain value (a null) in a flow
			// collection as "".
			return nil, false
		}
		return fastScalar(n)
	}
	return nil, false
}

func fastKey(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" || n.Style&yaml.TaggedStyle != 0 {
		return "", false
	}
	if !yaml11.PlainText(n.Value) {
		return "", false
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 && !yaml11.IsString(n.Value) {
		return "", false
	}
	return n.Value, true
}

const quotedStyles = yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle | yaml.LiteralStyle | yaml.FoldedStyle

func fastScalar(n *yaml.Node) (any, bool) {
	plain := n.Style&quotedStyles == 0
	switch n.Tag {
	case "!!str":
		if !yaml11.PlainText(n.Value) || plain && !yaml11.IsString(n.Value) {
			return nil, false
		}
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 && !blockSafe(n.Value) {
			return nil, false
		}
		return n.Value, true
	case "!!int":
		if plain && decimalInt(n.Value) {
			i, err := strconv.ParseInt(n.Value, 10, 64)
			if err == nil {
				return float64(i), true
			}
		}
	case "!!float":
		if plain && decimalFloat(n.Value) {
			f, err := strconv.ParseFloat(n.Value, 64)
			if err == nil {
				return f, true
			}
		}
	case "!!bool":
		if plain {
			switch n.Value {
			case "true", "True", "TRUE":
				return true, true
			case "false", "False", "FALSE":
				return false, true
			}
		}
	case "!!null":
		if plain {
			switch n.Value {
			case "", "~", "null", "Null", "NULL":
				return nil, true
			}
		}
	}
	return nil, false
}

// blockSafe tells whether yaml.v3 writes s as a block scalar yaml.v2 reads
// back: not when s starts with white space, which needs an indentation
// indicator yaml.v3 does not always get right.
func blockSafe(s string) bool {
	return !strings.Contains(s, "\n") || s[0] != ' ' && s[0] != '\t' && s[0] != '\n'
}

// decimalInt matches -?(0|[1-9][0-9]*), at most 18 digits: what both YAML
// readers take for the same integer.
func decimalInt(s string) bool {
	d := strings.TrimPrefix(s, "-")
	if d == "" || len(d) > 18 || d[0] == '0' && len(d) > 1 {
		return false
	}
	return allDigits(d)
}

// decimalFloat matches -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)? with
// a fraction or an exponent.
func decimalFloat(s string) bool {
	s = strings.TrimPrefix(s, "-")
	mant, exp, hasExp := strings.Cut(strings.ToLower(s), "e")
	whole, frac, hasFrac := strings.Cut(mant, ".")
	if !hasFrac && !hasExp || whole == "" || whole[0] == '0' && len(whole) > 1 || !allDigits(whole) {
		return false
	}
	if hasFrac && (frac == "" || !allDigits(frac)) {
		return false
	}
	if hasExp {
		exp = strings.TrimLeft(exp, "+-")
		if exp == "" || len(exp) > 3 || !allDigits(exp) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
