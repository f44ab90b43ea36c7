// Package jobedit edits one FlinkJobSpec of a YAML file in place, the way a
// person would: kyaml parses the file and locates the field, and only the
// bytes of the changed value, or the inserted lines, change. Comments, key
// order, quoting, indentation and blank lines elsewhere stay byte for byte.
package jobedit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Kind and APIVersion of the documents edited.
const (
	apiVersion = "krm-flink.io/v1alpha1"
	kind       = "FlinkJobSpec"
)

// ErrNotFound is returned when the file has no FlinkJobSpec of that name.
var ErrNotFound = errors.New("no such FlinkJobSpec")

// file is a parsed YAML file and the job being edited in it.
type file struct {
	src   []byte
	lines []string // without their line ends
	nl    string   // the file's line end
	spec  *yaml.Node
	spec0 *yaml.Node // the spec key
}

func open(src []byte, namespace, name string) (*file, error) {
	f := &file{src: src, nl: "\n"}
	if bytes.Contains(src, []byte("\r\n")) {
		f.nl = "\r\n"
	}
	f.lines = strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n")
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return nil, ErrNotFound
		}
		if err != nil {
			return nil, err
		}
		if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
			continue
		}
		rn := yaml.NewRNode(doc.Content[0])
		if rn.GetApiVersion() != apiVersion || rn.GetKind() != kind || rn.GetName() != name || rn.GetNamespace() != namespace {
			continue
		}
		spec := rn.Field("spec")
		if spec == nil || spec.Value.YNode().Kind != yaml.MappingNode {
			return nil, fmt.Errorf("spec: not a mapping")
		}
		f.spec, f.spec0 = spec.Value.YNode(), spec.Key.YNode()
		return f, nil
	}
}

// field returns the key and value nodes of a spec field, or nils.
func (f *file) field(name string) (*yaml.Node, *yaml.Node) {
	for i := 0; i+1 < len(f.spec.Content); i += 2 {
		if f.spec.Content[i].Value == name {
			return f.spec.Content[i], f.spec.Content[i+1]
		}
	}
	return nil, nil
}

// offset is the byte offset of a 1-based line and column (columns count
// characters, as the YAML parser does).
func (f *file) offset(line, col int) int {
	off := 0
	for i := 0; i < line-1; i++ {
		off += len(f.lines[i]) + len(f.nl)
	}
	l := f.lines[line-1]
	for n := range l {
		if col == 1 {
			return off + n
		}
		col--
	}
	return off + len(l)
}

// replace returns the source with src[from:to] replaced.
func (f *file) replace(from, to int, text string) []byte {
	out := make([]byte, 0, len(f.src)+len(text))
	out = append(out, f.src[:from]...)
	out = append(out, text...)
	return append(out, f.src[to:]...)
}

// insertLines inserts whole lines after line (1-based; 0 inserts first).
func (f *file) insertLines(after int, lines ...string) []byte {
	var off int
	if after >= len(f.lines) {
		off = len(f.src)
	} else {
		off = f.offset(after+1, 1)
	}
	text := strings.Join(lines, f.nl) + f.nl
	if off == len(f.src) && len(f.src) > 0 && !bytes.HasSuffix(f.src, []byte("\n")) {
		text = f.nl + text
	}
	return f.replace(off, off, text)
}

// setScalar sets spec.<name> to the YAML scalar text: in place when the
// field exists, else as the first key of spec.
func (f *file) setScalar(name, text string) ([]byte, error) {
	_, v := f.field(name)
	if v != nil {
		start, end, err := f.scalarSpan(v, name)
		if err != nil {
			return nil, err
		}
		return f.replace(start, end, text), nil
	}
	return f.insertField(name + ": " + text), nil
}

// insertField adds "key: value" to spec: right after the spec key for a
// block mapping (before any comment of the first field), right after the
// brace for a flow mapping.
func (f *file) insertField(entry string) []byte {
	if f.spec.Style&yaml.FlowStyle != 0 {
		off := f.offset(f.spec.Line, f.spec.Column) + 1
		if len(f.spec.Content) > 0 {
			entry += ", "
		}
		return f.replace(off, off, entry)
	}
	indent := strings.Repeat(" ", f.spec.Content[0].Column-1)
	var lines []string
	for _, l := range strings.Split(entry, "\n") {
		lines = append(lines, indent+l)
	}
	return f.insertLines(f.spec0.Line, lines...)
}

// scalarSpan is the byte range of a one-line scalar's text in the source.
func (f *file) scalarSpan(v *yaml.Node, name string) (int, int, error) {
	if v.Kind != yaml.ScalarNode || v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return 0, 0, fmt.Errorf("spec.%s: not a one-line scalar", name)
	}
	line := f.lines[v.Line-1]
	start := f.offset(v.Line, v.Column) - f.offset(v.Line, 1)
	rest := line[start:]
	var n int
	switch {
	case v.Style&yaml.DoubleQuotedStyle != 0:
		n = quotedEnd(rest, '"')
	case v.Style&yaml.SingleQuotedStyle != 0:
		n = quotedEnd(rest, '\'')
	default:
		n = plainEnd(rest, f.spec.Style&yaml.FlowStyle != 0)
	}
	if n < 0 || n == 0 && v.Value != "" {
		return 0, 0, fmt.Errorf("spec.%s: not a one-line scalar", name)
	}
	base := f.offset(v.Line, v.Column)
	return base, base + n, nil
}

// quotedEnd is the length of the quoted scalar that s starts with, or -1
// when it does not end on this line.
func quotedEnd(s string, q byte) int {
	for i := 1; i < len(s); i++ {
		switch {
		case q == '"' && s[i] == '\\':
			i++
		case s[i] == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			i++
		case s[i] == q:
			return i + 1
		}
	}
	return -1
}

// plainEnd is the length of the plain scalar s starts with: up to a
// comment, the line end or, in a flow mapping, a flow indicator.
func plainEnd(s string, flow bool) int {
	end := len(s)
	if i := strings.Index(s, " #"); i >= 0 {
		end = i
	}
	if flow {
		if i := strings.IndexAny(s[:end], ",}]"); i >= 0 {
			end = i
		}
	}
	return len(strings.TrimRight(s[:end], " \t"))
}

// scalarText writes s as a one-line YAML scalar: plain when YAML reads it
// back as the same string, double-quoted otherwise.
func scalarText(s string) string {
	out, err := yaml.NewStringRNode(s).String()
	out = strings.TrimSuffix(out, "\n")
	if err != nil || strings.Contains(out, "\n") {
		return strconv.Quote(s)
	}
	return out
}

// BumpNonce sets the integer spec.<field> of the job to its value plus
// one, or 1 when absent, and returns the new file and value.
func BumpNonce(src []byte, namespace, name, field string) ([]byte, int64, error) {
	f, err := open(src, namespace, name)
	if err != nil {
		return nil, 0, err
	}
	next := int64(1)
	if _, v := f.field(field); v != nil {
		cur, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil || v.Kind != yaml.ScalarNode {
			return nil, 0, fmt.Errorf("spec.%s: %q is not an integer", field, v.Value)
		}
		next = cur + 1
	}
	out, err := f.setScalar(field, strconv.FormatInt(next, 10))
	if err != nil {
		return nil, 0, err
	}
	return out, next, check(out, namespace, name, field, strconv.FormatInt(next, 10))
}

// SetString sets spec.<field> of the job to a string.
func SetString(src []byte, namespace, name, field, value string) ([]byte, error) {
	f, err := open(src, namespace, name)
	if err != nil {
		return nil, err
	}
	out, err := f.setScalar(field, scalarText(value))
	if err != nil {
		return nil, err
	}
	return out, check(out, namespace, name, field, value)
}

// AppendSnapshot adds an item {name, type} to spec.snapshots, named
// <type>-<n> with n one more than the highest such name already listed,
// and returns the new file and the item's name.
func AppendSnapshot(src []byte, namespace, name, typ string) ([]byte, string, error) {
	f, err := open(src, namespace, name)
	if err != nil {
		return nil, "", err
	}
	_, seq := f.field("snapshots")
	if seq != nil && seq.Kind != yaml.SequenceNode {
		return nil, "", errors.New("spec.snapshots: not a list")
	}
	item := typ + "-" + strconv.Itoa(nextNumber(seq, typ+"-"))
	var out []byte
	switch {
	case seq == nil && f.spec.Style&yaml.FlowStyle != 0:
		out = f.insertField("snapshots: [{name: " + item + ", type: " + typ + "}]")
	case seq == nil:
		out = f.insertField("snapshots:\n  - name: " + item + "\n    type: " + typ)
	case seq.Style&yaml.FlowStyle != 0 && len(seq.Content) == 0:
		off := f.offset(seq.Line, seq.Column) + 1
		out = f.replace(off, off, "{name: "+item+", type: "+typ+"}")
	case seq.Style&yaml.FlowStyle != 0:
		return nil, "", errors.New("spec.snapshots: a flow list ([...]); write it as a block list to add an item")
	default:
		last := seq.Content[len(seq.Content)-1]
		end, ok := lastLine(last)
		if !ok {
			return nil, "", errors.New("spec.snapshots: its last item ends in a multi-line value; add the item by hand")
		}
		dash := strings.Repeat(" ", seq.Column-1)
		if last.Kind == yaml.MappingNode && last.Style&yaml.FlowStyle == 0 {
			gap := strings.Repeat(" ", max(last.Column-seq.Column-1, 1))
			body := strings.Repeat(" ", seq.Column+len(gap))
			out = f.insertLines(end, dash+"-"+gap+"name: "+item, body+"type: "+typ)
		} else {
			out = f.insertLines(end, dash+"- {name: "+item+", type: "+typ+"}")
		}
	}
	return out, item, checkSnapshot(out, namespace, name, item, typ)
}

// nextNumber is one more than the highest n of the items named prefix<n>.
func nextNumber(seq *yaml.Node, prefix string) int {
	n := 0
	if seq == nil {
		return 1
	}
	for _, it := range seq.Content {
		nm := yaml.NewRNode(it).Field("name")
		if nm == nil {
			continue
		}
		if k, err := strconv.Atoi(strings.TrimPrefix(nm.Value.YNode().Value, prefix)); err == nil && strings.HasPrefix(nm.Value.YNode().Value, prefix) && k > n {
			n = k
		}
	}
	return n + 1
}

// lastLine is the last line a node's text is on; false when a value of it
// spans lines, whose end the parser does not record.
func lastLine(n *yaml.Node) (int, bool) {
	line, ok := n.Line, true
	if n.Kind == yaml.ScalarNode && (n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 || strings.Contains(n.Value, "\n")) {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode && n.Style&yaml.FlowStyle != 0 && len(n.Content) > 0 {
		// A flow collection ends with its bracket: only trust one line.
		if l, _ := lastLine(n.Content[len(n.Content)-1]); l != n.Line {
			return 0, false
		}
	}
	for _, c := range n.Content {
		l, cok := lastLine(c)
		ok = ok && cok
		line = max(line, l)
	}
	return line, ok
}

// check parses the edited file again and makes sure the field holds the
// value: a guard against an edit that reads differently from its intent.
func check(out []byte, namespace, name, field, want string) error {
	f, err := open(out, namespace, name)
	if err != nil {
		return fmt.Errorf("the edited file does not parse: %w", err)
	}
	if _, v := f.field(field); v == nil || v.Value != want {
		return fmt.Errorf("spec.%s: the edit did not take; edit the file by hand", field)
	}
	return nil
}

func checkSnapshot(out []byte, namespace, name, item, typ string) error {
	f, err := open(out, namespace, name)
	if err != nil {
		return fmt.Errorf("the edited file does not parse: %w", err)
	}
	if _, seq := f.field("snapshots"); seq != nil && len(seq.Content) > 0 {
		rn := yaml.NewRNode(seq.Content[len(seq.Content)-1])
		if n, t := rn.Field("name"), rn.Field("type"); n != nil && t != nil && n.Value.YNode().Value == item && t.Value.YNode().Value == typ {
			return nil
		}
	}
	return errors.New("spec.snapshots: the edit did not take; edit the file by hand")
}
