// Package input reads krm-flink's input documents (FlinkPlatform and
// FlinkJobSpec) strictly: unknown or duplicate fields, wrong types and
// oversized documents are problems naming the file, the object and the field.
package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	sigsjson "sigs.k8s.io/json"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// MaxDocumentBytes bounds one YAML document: no real job needs more, and it
// keeps a hostile input from costing the CI machine its memory.
const MaxDocumentBytes = 1 << 20

// Platform is a decoded FlinkPlatform and where it came from.
type Platform struct {
	*api.FlinkPlatform
	File string
	// BaseDir is the folder the platform's relative paths start from when
	// it is not File's (a KRM function names File as its orchestrator
	// does); BaseDirFrom says what BaseDir is, for messages.
	BaseDir, BaseDirFrom string
	// NestedConfig are the flinkConfiguration keys written as nested
	// mappings, as field paths (spec.flink.flinkConfiguration[state]).
	NestedConfig []string
}

// Dir is the folder the platform's relative paths (charts, chartsDir,
// keyrings, manifests) start from.
func (p *Platform) Dir() string {
	if p.BaseDir != "" {
		return p.BaseDir
	}
	if p.File == "" {
		return ""
	}
	return filepath.Dir(p.File)
}

// PathNote is appended to a problem with a relative path, so the message
// says what the path was resolved against; empty when that is the
// platform file's folder as written.
func (p *Platform) PathNote(path string) string {
	if p.BaseDirFrom == "" || path == "" || filepath.IsAbs(path) {
		return ""
	}
	return " (" + path + " is relative to " + p.BaseDirFrom + ")"
}

// Job is a decoded FlinkJobSpec and where it came from.
type Job struct {
	*api.FlinkJobSpec
	File string
	// NestedConfig are the flinkConfiguration keys written as nested
	// mappings, as field paths (spec.flinkConfiguration[state],
	// spec.environments.prod.flinkConfiguration[state]).
	NestedConfig []string
}

// Ref names the platform in problems.
func (p *Platform) Ref() problem.ObjectRef {
	return problem.ObjectRef{APIVersion: p.APIVersion, Kind: p.Kind, Name: p.Metadata.Name}
}

// Ref names the job in problems.
func (j *Job) Ref() problem.ObjectRef {
	return problem.ObjectRef{APIVersion: j.APIVersion, Kind: j.Kind, Namespace: j.Metadata.Namespace, Name: j.Metadata.Name}
}

// Set is everything one render reads: one platform, its jobs, and the
// user's own objects passed through to the overlays.
type Set struct {
	Platform *Platform
	// Jobs are the FlinkJobSpecs and the FlinkSessionSpecs (session
	// clusters, told apart by IsSession): both render a FlinkDeployment.
	Jobs        []*Job
	SessionJobs []*SessionJob
	Extras      []*Extra
}

// Document is one raw YAML document of a file, as JSON, with its identity.
type Document struct {
	File  string
	Index int
	JSON  []byte
	Type  TypeMeta
}

// TypeMeta is what identifies a document before it is decoded.
type TypeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

// Ref names the document's object in problems.
func (d *Document) Ref() problem.ObjectRef {
	return problem.ObjectRef{APIVersion: d.Type.APIVersion, Kind: d.Type.Kind, Namespace: d.Type.Metadata.Namespace, Name: d.Type.Metadata.Name}
}

// SplitDocuments reads every YAML document of one file. Empty documents are
// skipped; a file with none at all is a problem, as is invalid YAML.
func SplitDocuments(file string, data []byte) ([]*Document, problem.List) {
	return SplitDocumentsDropping(file, data, nil)
}

// SplitDocumentsDropping is SplitDocuments with the metadata.annotations
// entries drop selects removed from each document first (and annotations
// itself when it is left empty): an orchestrator's bookkeeping, which a
// KRM function's items carry but the user did not write.
func SplitDocumentsDropping(file string, data []byte, drop func(annotation string) bool) ([]*Document, problem.List) {
	var docs []*Document
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, problem.List{problem.Errorf(file, problem.ObjectRef{}, "", "document %d is not valid YAML: %s", i+1, trimYAMLError(err))}
		}
		if isEmpty(&node) {
			continue
		}
		if path, msg := duplicateKey(&node, ""); msg != "" {
			return nil, problem.List{problem.Errorf(file, problem.ObjectRef{}, path, "document %d: %s", i+1, msg)}
		}
		if drop != nil {
			dropAnnotations(&node, drop)
		}
		js, err := nodeToJSON(&node)
		if err != nil {
			return nil, problem.List{problem.Errorf(file, problem.ObjectRef{}, "", "document %d: %v", i+1, err)}
		}
		if len(js) > MaxDocumentBytes {
			return nil, problem.List{problem.Errorf(file, problem.ObjectRef{}, "", "document %d is %d bytes, more than the %d a krm-flink document may have", i+1, len(js), MaxDocumentBytes)}
		}
		if !bytes.HasPrefix(bytes.TrimSpace(js), []byte("{")) {
			return nil, problem.List{problem.Errorf(file, problem.ObjectRef{}, "", "document %d is not a YAML mapping (an object with apiVersion and kind)", i+1)}
		}
		d := &Document{File: file, Index: i, JSON: js}
		// A wrongly typed apiVersion/kind/name is reported by the strict decode.
		_ = sigsjson.UnmarshalCaseSensitivePreserveInts(js, &d.Type)
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		return nil, problem.List{problem.Errorf(file, problem.ObjectRef{}, "", "holds no objects; expected a FlinkPlatform or FlinkJobSpec")}
	}
	return docs, nil
}

// dropAnnotations removes the metadata.annotations entries drop selects
// from a document, and annotations when none is left.
func dropAnnotations(doc *yaml.Node, drop func(string) bool) {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	meta := mappingValue(root, "metadata")
	ann := mappingValue(meta, "annotations")
	if ann == nil || ann.Kind != yaml.MappingNode {
		return
	}
	kept := ann.Content[:0]
	for i := 0; i+1 < len(ann.Content); i += 2 {
		if !drop(ann.Content[i].Value) {
			kept = append(kept, ann.Content[i], ann.Content[i+1])
		}
	}
	ann.Content = kept
	if len(kept) == 0 {
		i := keyIndex(meta, "annotations")
		meta.Content = slices.Delete(meta.Content, i, i+2)
	}
}

// mappingValue is the value of key in the mapping n, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if i := keyIndex(n, key); i >= 0 {
		return n.Content[i+1]
	}
	return nil
}

// keyIndex is the index in n.Content of key in the mapping n, or -1.
func keyIndex(n *yaml.Node, key string) int {
	if n == nil || n.Kind != yaml.MappingNode {
		return -1
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return i
		}
	}
	return -1
}

func isEmpty(n *yaml.Node) bool {
	if n.Kind == 0 {
		return true
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return true
		}
		c := n.Content[0]
		return c.Kind == yaml.ScalarNode && c.Tag == "!!null"
	}
	return false
}

// duplicateKey finds a mapping key given twice, which YAML forbids but most
// decoders silently resolve to the last value.
func duplicateKey(n *yaml.Node, path string) (string, string) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for i, c := range n.Content {
			p := path
			if n.Kind == yaml.SequenceNode {
				p = fmt.Sprintf("%s[%d]", path, i)
			}
			if dp, msg := duplicateKey(c, p); msg != "" {
				return dp, msg
			}
		}
	case yaml.MappingNode:
		seen := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := joinPath(path, k.Value)
			if line, dup := seen[k.Value]; dup {
				return p, fmt.Sprintf("key %q is given twice (lines %d and %d)", k.Value, line, k.Line)
			}
			seen[k.Value] = k.Line
			if dp, msg := duplicateKey(n.Content[i+1], p); msg != "" {
				return dp, msg
			}
		}
	}
	return "", ""
}

var yamlErrPrefix = regexp.MustCompile(`^(yaml: |error converting YAML to JSON: yaml: )`)

// parserErrLine matches the YAML parser's (not scanner's) errors, whose line
// the YAML package reports counted from 0: the line of the construct left
// open, or of the token that does not fit.
var parserErrLine = regexp.MustCompile(`^line ([0-9]+): (did not find expected (?:<document start>|node content|key|'-' indicator|',' or '\]'|',' or '\}'))$`)

func trimYAMLError(err error) string {
	msg := yamlErrPrefix.ReplaceAllString(err.Error(), "")
	m := parserErrLine.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	n, _ := strconv.Atoi(m[1])
	msg = fmt.Sprintf("line %d: %s", n+1, m[2])
	if strings.HasSuffix(m[2], "']'") || strings.HasSuffix(m[2], "'}'") {
		msg += " (a [ or { opened on that line is not closed)"
	}
	return msg
}

// DecodePlatform strictly decodes a FlinkPlatform document.
// With problems that left every field decoded (an unknown field, a value
// corrected by checkScalars) it returns the platform too, so it can still
// be checked.
func DecodePlatform(d *Document) (*Platform, problem.List) {
	p := &api.FlinkPlatform{}
	probs, complete, nested := strictDecode(d, p)
	if !complete {
		return nil, probs
	}
	return &Platform{FlinkPlatform: p, File: d.File, NestedConfig: nested}, probs
}

// DecodeJob strictly decodes a FlinkJobSpec document; like DecodePlatform it
// returns the job with problems that left every field decoded.
func DecodeJob(d *Document) (*Job, problem.List) {
	j := &api.FlinkJobSpec{}
	probs, complete, nested := strictDecode(d, j)
	if !complete {
		return nil, probs
	}
	return &Job{FlinkJobSpec: j, File: d.File, NestedConfig: nested}, probs
}

var typeErr = regexp.MustCompile(`cannot unmarshal (.+) into Go (?:struct field \S+?\.(\S+)|value) of type (\S+)`)

// strictDecode decodes a document into v, reporting unknown fields,
// duplicate fields and type mismatches with their field paths; complete
// says every field the document gives was decoded.
func strictDecode(d *Document, v any) (problem.List, bool, []string) {
	data, probs, nested := checkScalars(d)
	ps, complete := strictDecodeJSON(data, v, d.File, d.Ref(), "")
	return append(probs, ps...), complete, nested
}

// StrictDecode decodes JSON into v and reports every unknown field,
// duplicate field and type mismatch as a problem whose field path is
// prefix plus the path within data.
func StrictDecode(data []byte, v any, file string, ref problem.ObjectRef, prefix string) problem.List {
	probs, _ := strictDecodeJSON(data, v, file, ref, prefix)
	return probs
}

func strictDecodeJSON(data []byte, v any, file string, ref problem.ObjectRef, prefix string) (problem.List, bool) {
	strictErrs, err := sigsjson.UnmarshalStrict(data, v, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	var probs problem.List
	for _, e := range append(strictErrs, err) {
		if e != nil {
			if bad := badQuantities(data); len(bad) > 0 && strings.Contains(e.Error(), "quantities must match") {
				// resource.Quantity's own error names no field: find them.
				for _, b := range bad {
					probs = append(probs, problem.Errorf(file, ref, joinPath(prefix, b[0]), "%q is not a Kubernetes quantity (such as 500m, 2 or 4Gi)", b[1]))
				}
				continue
			}
			path, msg := describe(e)
			if m := typeErr.FindStringSubmatch(e.Error()); m != nil {
				path = indexedPath(data, path, m[1])
			}
			probs = append(probs, problem.Errorf(file, ref, joinPath(prefix, path), "%s", msg))
		}
	}
	return probs, err == nil
}

// badQuantities lists the Kubernetes quantities of a pod template (the
// values under resources.limits and resources.requests, and sizeLimit)
// that do not parse, with their paths.
func badQuantities(data []byte) [][2]string {
	var doc any
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	var out [][2]string
	var walk func(v any, path, parent string)
	walk = func(v any, path, parent string) {
		switch t := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(t)) {
				p := joinPath(path, k)
				if strings.ContainsAny(k, "./") {
					p = path + "[" + k + "]"
				}
				s, isString := t[k].(string)
				quantity := k == "sizeLimit" || parent == "limits" || parent == "requests"
				if quantity && isString {
					if _, err := resource.ParseQuantity(s); err != nil {
						out = append(out, [2]string{p, s})
					}
					continue
				}
				walk(t[k], p, k)
			}
		case []any:
			for i, c := range t {
				walk(c, fmt.Sprintf("%s[%d]", path, i), parent)
			}
		}
	}
	walk(doc, "", "")
	return out
}

// indexedPath adds list indices to the field path of a type error, which
// Go's decoder reports without them ("spec.containers.ports.containerPort"):
// the first value at that path whose JSON type is got. The path is
// returned as it is when no such value is found.
func indexedPath(data []byte, path, got string) string {
	var doc any
	if path == "" || json.Unmarshal(data, &doc) != nil {
		return path
	}
	if found, ok := findTyped(doc, strings.Split(path, "."), "", got); ok {
		return found
	}
	return path
}

func findTyped(v any, segs []string, at, got string) (string, bool) {
	if l, ok := v.([]any); ok && len(segs) > 0 {
		for i, item := range l {
			if p, ok := findTyped(item, segs, fmt.Sprintf("%s[%d]", at, i), got); ok {
				return p, true
			}
		}
		return "", false
	}
	if len(segs) == 0 {
		if jsonKind(v) == got {
			return at, true
		}
		if l, ok := v.([]any); ok { // an item of the list has the wrong type
			for i, item := range l {
				if jsonKind(item) == got {
					return fmt.Sprintf("%s[%d]", at, i), true
				}
			}
		}
		return "", false
	}
	m, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	c, ok := m[segs[0]]
	if !ok {
		return "", false
	}
	return findTyped(c, segs[1:], joinPath(at, segs[0]), got)
}

// jsonKind names a decoded JSON value as Go's type errors do.
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

// describe returns the field path and a YAML author's message for a decode error.
func describe(err error) (string, string) {
	msg := err.Error()
	if m := typeErr.FindStringSubmatch(msg); m != nil {
		return jsonPath(m[2]), fmt.Sprintf("wrong type: got %s, want %s", m[1], goTypeToYAML(m[3]))
	}
	path := ""
	var fe sigsjson.FieldError
	if errors.As(err, &fe) {
		path = fe.FieldPath()
	}
	msg = strings.TrimPrefix(msg, "json: ")
	if path != "" {
		msg = strings.Join(strings.Fields(strings.Replace(msg, fmt.Sprintf("%q", path), "", 1)), " ")
	}
	return path, msg
}

// jsonPath drops the Go names of embedded structs ("spec.JobFields.parallelism"
// becomes "spec.parallelism"): every JSON name of the API starts lower case.
func jsonPath(goPath string) string {
	var parts []string
	for _, p := range strings.Split(goPath, ".") {
		if p != "" && !(p[0] >= 'A' && p[0] <= 'Z') {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

func joinPath(prefix, path string) string {
	switch {
	case prefix == "":
		return path
	case path == "":
		return prefix
	}
	return prefix + "." + path
}

var k8sStruct = regexp.MustCompile(`^v1\.[A-Z]`)

// goTypeToYAML names Go types the way a YAML author thinks of them.
func goTypeToYAML(t string) string {
	switch {
	case strings.HasPrefix(t, "map["), strings.HasPrefix(t, "v1alpha1."), t == "json.RawMessage":
		return "a mapping"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "an integer"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "a string"
	case t == "intstr.IntOrString":
		return "an integer or a string"
	case k8sStruct.MatchString(t):
		return "a mapping" // a Kubernetes type of a pod template (v1.Container)
	}
	return t
}
