package input

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// jsonNumber is a number literal as JSON writes it.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// maxNodes bounds how many nodes one document may expand to through aliases:
// a "billion laughs" document is a few lines that expand to billions.
const maxNodes = 1 << 20

// nodeToJSON converts a parsed YAML document to JSON with YAML 1.2 rules, as
// Kubernetes authors expect: "n", "yes" and "on" stay strings, timestamps
// stay strings, only true/false are booleans. It needs no second YAML parser.
func nodeToJSON(n *yaml.Node) ([]byte, error) {
	c := &converter{}
	if err := c.write(n); err != nil {
		return nil, err
	}
	return c.buf.Bytes(), nil
}

type converter struct {
	buf   bytes.Buffer
	nodes int
	depth int
}

func (c *converter) write(n *yaml.Node) error {
	c.nodes++
	if c.nodes > maxNodes {
		return fmt.Errorf("the document expands to more than %d nodes (aliases nested too deep?)", maxNodes)
	}
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 1000 {
		return fmt.Errorf("the document nests more than 1000 levels deep")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			c.buf.WriteString("null")
			return nil
		}
		return c.write(n.Content[0])
	case yaml.AliasNode:
		return c.write(n.Alias)
	case yaml.SequenceNode:
		c.buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				c.buf.WriteByte(',')
			}
			if err := c.write(item); err != nil {
				return err
			}
		}
		c.buf.WriteByte(']')
		return nil
	case yaml.MappingNode:
		return c.writeMapping(n)
	case yaml.ScalarNode:
		return c.writeScalar(n)
	}
	return fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

func (c *converter) writeMapping(n *yaml.Node) error {
	pairs, err := mappingPairs(n)
	if err != nil {
		return err
	}
	c.buf.WriteByte('{')
	for i, p := range pairs {
		if i > 0 {
			c.buf.WriteByte(',')
		}
		key, _ := json.Marshal(p[0].Value)
		c.buf.Write(key)
		c.buf.WriteByte(':')
		if err := c.write(p[1]); err != nil {
			return err
		}
	}
	c.buf.WriteByte('}')
	return nil
}

// mappingPairs returns key/value pairs with merge keys (<<) resolved: keys
// written in the mapping win over merged ones.
func mappingPairs(n *yaml.Node) ([][2]*yaml.Node, error) {
	var own, merged [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: mapping keys must be plain scalars", k.Line)
		}
		if k.Tag == "!!merge" {
			src := v
			if src.Kind == yaml.AliasNode {
				src = src.Alias
			}
			sources := []*yaml.Node{src}
			if src.Kind == yaml.SequenceNode {
				sources = src.Content
			}
			for _, s := range sources {
				if s.Kind == yaml.AliasNode {
					s = s.Alias
				}
				if s.Kind != yaml.MappingNode {
					return nil, fmt.Errorf("line %d: a merge key needs a mapping", k.Line)
				}
				ps, err := mappingPairs(s)
				if err != nil {
					return nil, err
				}
				merged = append(merged, ps...)
			}
			continue
		}
		own = append(own, [2]*yaml.Node{k, v})
	}
	if len(merged) == 0 {
		return own, nil
	}
	seen := map[string]bool{}
	for _, p := range own {
		seen[p[0].Value] = true
	}
	out := own
	for _, p := range merged {
		if !seen[p[0].Value] {
			seen[p[0].Value] = true
			out = append(out, p)
		}
	}
	return out, nil
}

func (c *converter) writeScalar(n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!null":
		c.buf.WriteString("null")
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if err != nil {
			return fmt.Errorf("line %d: %q is not a boolean", n.Line, n.Value)
		}
		c.buf.WriteString(strconv.FormatBool(b))
	case "!!int":
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		if err != nil {
			return fmt.Errorf("line %d: %q is not an integer that fits 64 bits", n.Line, n.Value)
		}
		c.buf.WriteString(strconv.FormatInt(i, 10))
	case "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("line %d: %q is not a finite number", n.Line, n.Value)
		}
		if jsonNumber.MatchString(n.Value) {
			// As written: a Flink configuration value 0.10 or 1.0 keeps
			// its text, which a float would lose.
			c.buf.WriteString(n.Value)
			break
		}
		b, _ := json.Marshal(f)
		c.buf.Write(b)
	default: // !!str, !!timestamp, !!binary and custom tags are kept as text
		b, _ := json.Marshal(n.Value)
		c.buf.Write(b)
	}
	return nil
}
