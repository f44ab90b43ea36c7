package yaml11

import (
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
	sigsyaml "sigs.k8s.io/yaml"
)

// Marshal gives exactly what sigs.k8s.io/yaml.Marshal gives for v, faster.
// sigs.k8s.io/yaml encodes v as JSON, has yaml.v2 read the JSON back and
// yaml.v2 write that as YAML. Marshal writes the usual Kubernetes object
// itself (emitYAML); else it builds the value yaml.v2 would have read (maps
// with string keys, numbers as int, uint64 or float64 as yaml.v2 resolves
// the JSON number) straight from v and has yaml.v2 write it: the same
// writer, the same sorting and quoting. Values it cannot mirror exactly
// (other types, NaN, strings JSON would change or yaml.v2 refuses) go
// through sigs.k8s.io/yaml itself.
func Marshal(v any) ([]byte, error) {
	if b, ok := emitYAML(nil, v); ok {
		return b, nil
	}
	if m, ok := v.(map[string]any); ok && m != nil {
		if y, ok := toV2(m); ok {
			return yamlv2.Marshal(y)
		}
	}
	return sigsyaml.Marshal(v)
}

func toV2(v any) (any, bool) {
	switch t := v.(type) {
	case nil:
		return nil, true
	case string:
		return t, PlainText(t)
	case bool:
		return t, true
	case float64:
		return v2Number(t)
	case int:
		return t, true
	case int64:
		if int64(int(t)) != t {
			return t, true
		}
		return int(t), true
	case int32:
		return int(t), true
	case map[string]any:
		if t == nil {
			return nil, true
		}
		m := make(map[any]any, len(t))
		for k, x := range t {
			if !PlainText(k) || k == "<<" {
				return nil, false
			}
			y, ok := toV2(x)
			if !ok {
				return nil, false
			}
			m[k] = y
		}
		return m, true
	case []any:
		if t == nil {
			return nil, true
		}
		l := make([]any, len(t))
		for i, x := range t {
			y, ok := toV2(x)
			if !ok {
				return nil, false
			}
			l[i] = y
		}
		return l, true
	case map[string]string:
		if t == nil {
			return nil, true
		}
		m := make(map[any]any, len(t))
		for k, x := range t {
			if !PlainText(k) || k == "<<" || !PlainText(x) {
				return nil, false
			}
			m[k] = x
		}
		return m, true
	case []string:
		if t == nil {
			return nil, true
		}
		l := make([]any, len(t))
		for i, x := range t {
			if !PlainText(x) {
				return nil, false
			}
			l[i] = x
		}
		return l, true
	}
	return nil, false
}

// v2Number is what yaml.v2 reads the JSON encoding of f as: an int when
// the text is an integer, a float64 otherwise.
func v2Number(f float64) (any, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, false // JSON refuses them; let sigs.k8s.io/yaml say so
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return int(f), true
	}
	s := string(jsonFloat(nil, f))
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		return int(i), true
	}
	if u, err := strconv.ParseUint(s, 0, 64); err == nil {
		return u, true
	}
	g, err := strconv.ParseFloat(s, 64)
	return g, err == nil
}

// jsonFloat formats f as encoding/json does.
func jsonFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// PlainText tells whether s goes through JSON, yaml.v2 and yaml.v3 unchanged:
// valid UTF-8 of printable characters, tabs and line feeds (YAML 1.1 readers
// also break lines at NEL, LS and PS; a BOM or a carriage return may be
// dropped).
func PlainText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' {
			continue
		}
		if c < 0x80 {
			return false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff || !unicode.IsPrint(r) {
			return false
		}
		i += size - 1
	}
	return true
}
