package manifest

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/krm-flink/krm-flink/internal/yaml11"
)

// parseLines reads a one-document manifest written in the plain block
// style templates and YAML writers use (block mappings and sequences,
// one-line plain, single- and double-quoted scalars, "{}" and "[]",
// comment lines) straight into the map Decode's fast path makes of it,
// without yaml.v3's tokenizer and node tree. Anything else (flow
// collections, block scalars, anchors, tags, multi-line scalars, trailing
// comments, tabs, several documents) makes it report false, and Decode
// reads the document with yaml.v3. Scalars follow fastScalar's rules, so a
// document it takes is one the fast path takes, with the same result.
func parseLines(data string) (map[string]any, bool) {
	if !printableText(data) {
		return nil, false
	}
	p := &lineParser{}
	for len(data) > 0 {
		line := data
		if i := strings.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = ""
		}
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		if indent == len(line) || line[indent] == '#' {
			continue // blank or comment line
		}
		if strings.HasPrefix(line, "---") || strings.HasPrefix(line, "...") || line[0] == '%' {
			return nil, false
		}
		p.lines = append(p.lines, parsedLine{indent: indent, text: line[indent:]})
	}
	if len(p.lines) == 0 || p.lines[0].indent != 0 {
		return nil, false
	}
	v, ok := p.block(0, 0)
	if !ok || p.i != len(p.lines) {
		return nil, false
	}
	m, ok := v.(map[string]any)
	return m, ok
}

// printableText tells whether a YAML reader takes every character of s:
// valid UTF-8, no control characters but line feeds (no tabs, no carriage
// returns either: they are left to yaml.v3), no byte order mark.
func printableText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f || c == '\n' {
			continue
		}
		if c < 0x80 {
			return false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || r < 0xa0 || r >= 0xd800 && r < 0xe000 || r == 0xfeff || r == 0xfffe || r == 0xffff {
			return false
		}
		i += size - 1
	}
	return true
}

type parsedLine struct {
	indent int
	text   string // from the first non-space character
}

type lineParser struct {
	lines []parsedLine
	i     int
	depth int
}

func isSeqItem(text string) bool {
	return text == "-" || strings.HasPrefix(text, "- ")
}

// block reads the mapping or sequence whose first line is the current one,
// at indent.
func (p *lineParser) block(indent, depth int) (any, bool) {
	if depth > maxFastDepth {
		return nil, false
	}
	if isSeqItem(p.lines[p.i].text) {
		return p.sequence(indent, depth)
	}
	return p.mapping(indent, depth)
}

func (p *lineParser) mapping(indent, depth int) (any, bool) {
	m := map[string]any{}
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent < indent {
			break
		}
		if l.indent > indent || isSeqItem(l.text) {
			return nil, false
		}
		key, rest, ok := splitKey(l.text)
		if !ok {
			return nil, false
		}
		if _, dup := m[key]; dup {
			return nil, false
		}
		p.i++
		var v any
		if rest != "" {
			if v, ok = inlineScalar(rest); !ok {
				return nil, false
			}
			if p.i < len(p.lines) && p.lines[p.i].indent > indent {
				return nil, false // a multi-line scalar
			}
		} else if p.i < len(p.lines) && (p.lines[p.i].indent > indent || p.lines[p.i].indent == indent && isSeqItem(p.lines[p.i].text)) {
			// A nested block, or a sequence YAML lets start at the key's indent.
			if v, ok = p.block(p.lines[p.i].indent, depth+1); !ok {
				return nil, false
			}
		}
		m[key] = v
	}
	return m, true
}

func (p *lineParser) sequence(indent, depth int) (any, bool) {
	l := []any{}
	for p.i < len(p.lines) {
		line := p.lines[p.i]
		if line.indent < indent || line.indent == indent && !isSeqItem(line.text) {
			break // the enclosing block goes on, or rejects the line
		}
		if line.indent > indent {
			return nil, false
		}
		content := strings.TrimLeft(line.text[1:], " ")
		if content == "" {
			p.i++
			var v any
			if p.i < len(p.lines) && p.lines[p.i].indent > indent {
				var ok bool
				if v, ok = p.block(p.lines[p.i].indent, depth+1); !ok {
					return nil, false
				}
			}
			l = append(l, v)
			continue
		}
		col := indent + len(line.text) - len(content)
		if _, _, isMap := splitKey(content); isMap || isSeqItem(content) {
			// "- key: value" or "- - item": a block at the content's column,
			// this line its first.
			p.lines[p.i] = parsedLine{indent: col, text: content}
			v, ok := p.block(col, depth+1)
			if !ok {
				return nil, false
			}
			l = append(l, v)
			continue
		}
		v, ok := inlineScalar(content)
		if !ok {
			return nil, false
		}
		p.i++
		if p.i < len(p.lines) && p.lines[p.i].indent > indent {
			return nil, false
		}
		l = append(l, v)
	}
	return l, true
}

// splitKey splits "key: rest" or "key:"; keys are plain words or quoted.
func splitKey(text string) (key, rest string, ok bool) {
	var after string
	if i := strings.IndexByte(text, ':'); i < 0 || i > maxKey {
		return "", "", false // YAML caps simple keys at 1024 characters
	}
	switch text[0] {
	case '"', '\'':
		k, n, ok := quoted(text)
		if !ok || !strings.HasPrefix(text[n:], ":") {
			return "", "", false
		}
		key, after = k, text[n+1:]
		if !yaml11.PlainText(key) {
			return "", "", false
		}
	default:
		i := strings.IndexByte(text, ':')
		if i <= 0 || !plainKey(text[:i]) {
			return "", "", false
		}
		key, after = text[:i], text[i+1:]
		if !yaml11.IsString(key) {
			return "", "", false
		}
	}
	if after == "" {
		return key, "", true
	}
	if after[0] != ' ' {
		return "", "", false
	}
	return key, strings.TrimLeft(after, " "), true
}

// maxKey bounds the keys parseLines reads (Kubernetes keys are at most 317
// bytes long).
const maxKey = 512

// plainKey accepts the keys Kubernetes objects use: letters, digits and
// . _ - /, starting with a letter, digit or . _ /.
func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '/':
		case c == '-' && i > 0:
		default:
			return false
		}
	}
	return true
}

// inlineScalar reads a value written on the rest of a line.
func inlineScalar(s string) (any, bool) {
	switch s[0] {
	case '"', '\'':
		v, n, ok := quoted(s)
		if !ok || strings.TrimRight(s[n:], " ") != "" || !yaml11.PlainText(v) {
			return nil, false
		}
		return v, true
	case '{', '[':
		switch s = strings.TrimRight(s, " "); s {
		case "{}":
			return map[string]any{}, true
		case "[]":
			return []any{}, true
		}
		return nil, false
	case '#', '&', '*', '!', '|', '>', '%', '@', '`', ',', '?', ':', ']', '}':
		return nil, false
	case '-':
		if len(s) == 1 || s[1] == ' ' {
			return nil, false
		}
	}
	s = strings.TrimRight(s, " ")
	if strings.Contains(s, " #") || strings.Contains(s, ": ") || strings.HasSuffix(s, ":") {
		return nil, false
	}
	return plainScalar(s)
}

// plainScalar is fastScalar for a plain scalar: what yaml.v3 resolves it
// to, when yaml.v2 reads it the same.
func plainScalar(s string) (any, bool) {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return nil, true
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	if decimalInt(s) {
		i, err := strconv.ParseInt(s, 10, 64)
		return float64(i), err == nil
	}
	if decimalFloat(s) {
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	if !yaml11.IsString(s) || !yaml11.PlainText(s) {
		return nil, false
	}
	return s, true
}

// quoted reads the quoted scalar at the start of s and returns its value
// and length; escapes other than the usual ones make it report false.
func quoted(s string) (string, int, bool) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); {
		c := s[i]
		switch {
		case c == q && q == '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				b.WriteByte('\'')
				i += 2
				continue
			}
			return b.String(), i + 1, true
		case c == q:
			return b.String(), i + 1, true
		case c == '\\' && q == '"':
			if i+1 >= len(s) {
				return "", 0, false
			}
			switch e := s[i+1]; e {
			case '"', '\\', '/':
				b.WriteByte(e)
				i += 2
			case 'n':
				b.WriteByte('\n')
				i += 2
			case 't':
				b.WriteByte('\t')
				i += 2
			case 'u':
				if i+6 > len(s) {
					return "", 0, false
				}
				r, err := strconv.ParseUint(s[i+2:i+6], 16, 32)
				if err != nil || r >= 0xd800 && r < 0xe000 {
					return "", 0, false
				}
				b.WriteRune(rune(r))
				i += 6
			default:
				return "", 0, false
			}
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return "", 0, false
}
