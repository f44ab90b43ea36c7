package yaml11

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// emitYAML writes v (a map or a list) as sigs.k8s.io/yaml.Marshal would,
// for the documents Kubernetes objects nearly always are: block mappings and
// sequences of printable ASCII strings, numbers, booleans and nulls. It is
// yaml.v2's emitter (go.yaml.in/yaml/v2, emitterc.go, encode.go, sorter.go)
// cut down to those: keys sorted as yaml.v2 sorts them, sequences in
// mappings not indented, the same choice of plain, single- or double-quoted
// scalars. It reports false, having written nothing useful, for anything
// else: multi-line, non-ASCII or very long strings (yaml.v2 folds those),
// keys over 128 bytes, other types. Callers then use yaml.v2 itself.
func emitYAML(b []byte, v any) ([]byte, bool) {
	e := emitter{b: b}
	switch t := v.(type) {
	case map[string]any:
		if t == nil {
			return nil, false
		}
		if len(t) == 0 {
			return append(b, "{}\n"...), true
		}
		if !e.mapping(t, 0, 0) {
			return nil, false
		}
	case []any:
		if t == nil {
			return nil, false
		}
		if len(t) == 0 {
			return append(b, "[]\n"...), true
		}
		if !e.sequence(t, 0, 0) {
			return nil, false
		}
	default:
		return nil, false
	}
	return e.b, true
}

// bestWidth is yaml.v2's line width: longer lines fold at spaces.
const bestWidth = 80

type emitter struct {
	b []byte
}

func (e *emitter) indent(n int) {
	for ; n > 0; n-- {
		e.b = append(e.b, ' ')
	}
}

// mapping writes m's entries at indent; the first one at column col of the
// current line (after "- "), the others on lines of their own.
func (e *emitter) mapping(m map[string]any, indent, col int) bool {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		switch {
		case keyLess(a, b):
			return -1
		case keyLess(b, a):
			return 1
		}
		return 0
	})
	for i, k := range keys {
		if i > 0 || col < indent {
			e.indent(indent - col)
			col = indent
		}
		start := len(e.b)
		if len(k) > 128 || !e.scalar(k, col, true) {
			return false
		}
		e.b = append(e.b, ':')
		col += len(e.b) - start
		if !e.value(m[k], indent, col, true) {
			return false
		}
		col = 0
	}
	return true
}

// sequence writes l's items at indent, the first one at column col.
func (e *emitter) sequence(l []any, indent, col int) bool {
	for i, x := range l {
		if i > 0 || col < indent {
			e.indent(indent - col)
		}
		e.b = append(e.b, '-')
		if !e.value(x, indent, indent+1, false) {
			return false
		}
		col = 0
	}
	return true
}

// value writes the value of a mapping entry or a sequence item after the
// ":" or "-" at column col, and the line break after it. indent is the
// entry's or item's.
func (e *emitter) value(v any, indent, col int, inMapping bool) bool {
	switch t := v.(type) {
	case map[string]any:
		if t == nil {
			e.b = append(e.b, " null\n"...) // JSON null
			return true
		}
		if len(t) == 0 {
			e.b = append(e.b, " {}\n"...)
			return true
		}
		if inMapping {
			e.b = append(e.b, '\n')
			return e.mapping(t, indent+2, 0)
		}
		e.b = append(e.b, ' ')
		return e.mapping(t, indent+2, col+1)
	case []any:
		if t == nil {
			e.b = append(e.b, " null\n"...)
			return true
		}
		if len(t) == 0 {
			e.b = append(e.b, " []\n"...)
			return true
		}
		if inMapping {
			// yaml.v2 does not indent a sequence in a mapping.
			e.b = append(e.b, '\n')
			return e.sequence(t, indent, 0)
		}
		e.b = append(e.b, ' ')
		return e.sequence(t, indent+2, col+1)
	}
	e.b = append(e.b, ' ')
	if !e.scalar(v, col+1, false) {
		return false
	}
	e.b = append(e.b, '\n')
	return true
}

// scalar writes a scalar starting at column col; key tells a mapping key
// (yaml.v2's simple key context).
func (e *emitter) scalar(v any, col int, key bool) bool {
	switch t := v.(type) {
	case nil:
		e.b = append(e.b, "null"...)
	case bool:
		e.b = strconv.AppendBool(e.b, t)
	case string:
		return e.str(t, col, key)
	case int:
		e.b = strconv.AppendInt(e.b, int64(t), 10)
	case int64:
		e.b = strconv.AppendInt(e.b, t, 10)
	case int32:
		e.b = strconv.AppendInt(e.b, int64(t), 10)
	case float64:
		n, ok := v2Number(t)
		if !ok {
			return false
		}
		switch x := n.(type) {
		case int:
			e.b = strconv.AppendInt(e.b, int64(x), 10)
		case uint64:
			e.b = strconv.AppendUint(e.b, x, 10)
		case float64:
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return false
			}
			e.b = strconv.AppendFloat(e.b, x, 'g', -1, 64)
		default:
			return false
		}
	default:
		return false
	}
	return true
}

// str writes a string as yaml.v2 would: plain when it reads back as the
// same string and no indicator forbids it, else single-quoted, and
// double-quoted when plain would read back as something else.
func (e *emitter) str(s string, col int, key bool) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	if !IsString(s) || IsBase60Float(s) {
		// yaml.v2 asks for double quotes; the emitter keeps them.
		if strings.ContainsAny(s, `"\`) || !key && folds(s, col+1) {
			return false
		}
		e.b = append(e.b, '"')
		e.b = append(e.b, s...)
		e.b = append(e.b, '"')
		return true
	}
	if plainAllowed(s) {
		if !key && folds(s, col) {
			return false
		}
		e.b = append(e.b, s...)
		return true
	}
	if !key && folds(s, col+1+strings.Count(s, "'")) {
		return false
	}
	e.b = append(e.b, '\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			e.b = append(e.b, '\'')
		}
		e.b = append(e.b, s[i])
	}
	e.b = append(e.b, '\'')
	return true
}

// folds tells whether yaml.v2 might break s, written from column col, at a
// space past the line width (conservatively: any space that far).
func folds(s string, col int) bool {
	i := strings.LastIndexByte(s, ' ')
	return i >= 0 && col+i > bestWidth-1
}

// plainAllowed is yaml.v2's block_plain_allowed (yaml_emitter_analyze_scalar)
// for a non-empty string of printable ASCII.
func plainAllowed(s string) bool {
	n := len(s)
	if s[0] == ' ' || s[n-1] == ' ' {
		return false
	}
	if n >= 3 && (s[:3] == "---" || s[:3] == "...") {
		return false
	}
	followedBySpace := func(i int) bool { return i+1 >= n || s[i+1] == ' ' }
	switch s[0] {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '?', ':', '-':
		if followedBySpace(0) {
			return false
		}
	}
	for i := 1; i < n; i++ {
		switch s[i] {
		case ':':
			if followedBySpace(i) {
				return false
			}
		case '#':
			if s[i-1] == ' ' {
				return false
			}
		}
	}
	return true
}

// keyLess is yaml.v2's order of string map keys (sorter.go): runs of
// digits compare as numbers, letters before other characters.
func keyLess(a, b string) bool {
	if isASCII(a) && isASCII(b) {
		return keyLessASCII(a, b)
	}
	return keyLessRunes(a, b)
}

func keyLessRunes(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al := unicode.IsLetter(ar[i])
		bl := unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an = 1
					bn = 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// keyLessASCII is keyLess for ASCII strings, without converting to runes.
func keyLessASCII(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		al, bl := isLetter(a[i]), isLetter(b[i])
		if al && bl {
			return a[i] < b[i]
		}
		if al || bl {
			return bl
		}
		var ai, bi int
		var an, bn int64
		if a[i] == '0' || b[i] == '0' {
			for j := i - 1; j >= 0 && isDigit(a[j]); j-- {
				if a[j] != '0' {
					an = 1
					bn = 1
					break
				}
			}
		}
		for ai = i; ai < len(a) && isDigit(a[ai]); ai++ {
			an = an*10 + int64(a[ai]-'0')
		}
		for bi = i; bi < len(b) && isDigit(b[bi]); bi++ {
			bn = bn*10 + int64(b[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return a[i] < b[i]
	}
	return len(a) < len(b)
}
