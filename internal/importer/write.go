package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"go.yaml.in/yaml/v3"
)

// File is one file import writes: a path under the output folder,
// slash-separated, and its content.
type File struct {
	Path string
	Data []byte
}

// Files are the files of an import, sorted by path: each job's spec and
// each object kept as it is.
func (r *Result) Files() []File {
	var out []File
	for _, j := range r.Jobs {
		out = append(out, File{j.Path, j.Data})
	}
	for _, k := range r.Kept {
		out = append(out, File{k.Path, k.Data})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Path < out[b].Path })
	return out
}

// Write writes files under dir (a job's is <namespace>/<name>.yaml). Each
// file is written beside its place and renamed into it, so a reader never
// sees half a file; other files in dir are left alone.
func Write(dir string, files []File) error {
	for _, j := range files {
		p := filepath.Join(dir, filepath.FromSlash(j.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		tmp, err := os.CreateTemp(filepath.Dir(p), ".import-*")
		if err != nil {
			return err
		}
		_, werr := tmp.Write(j.Data)
		cerr := tmp.Close()
		if werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Chmod(tmp.Name(), 0o644)
		}
		if werr == nil {
			werr = os.Rename(tmp.Name(), p)
		}
		if werr != nil {
			_ = os.Remove(tmp.Name())
			return fmt.Errorf("writing %s: %w", p, werr)
		}
	}
	return nil
}

// Marshal writes an input object (a FlinkJobSpec, a FlinkSessionJobSpec)
// as YAML in the order of its Go fields (apiVersion, kind, metadata, then
// spec from owner on), as a person would write it, rather than sorted.
func Marshal(spec any) ([]byte, error) {
	data, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	withoutNulls(&doc)
	blockStyle(&doc)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// withoutNulls drops the mapping pairs whose value is null, which the
// Kubernetes types write for unset fields without omitempty (containers,
// creationTimestamp) and no person writes; a mapping left empty by that
// goes too, and so does an empty metadata or resources (struct fields
// JSON writes as {}, the same as unset). Another empty mapping
// (emptyDir: {}) stays: it means something.
func withoutNulls(n *yaml.Node) {
	for _, c := range n.Content {
		withoutNulls(c)
	}
	if n.Kind != yaml.MappingNode {
		return
	}
	kept := n.Content[:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind == yaml.ScalarNode && v.Tag == "!!null" || v.Kind == yaml.MappingNode && v.Tag == nullsOnly ||
			v.Kind == yaml.MappingNode && len(v.Content) == 0 && emptyStructKeys[k.Value] {
			continue
		}
		kept = append(kept, k, v)
	}
	if len(n.Content) > 0 && len(kept) == 0 {
		n.Tag = nullsOnly
	}
	n.Content = kept
}

// emptyStructKeys are the Kubernetes struct fields (ObjectMeta,
// ResourceRequirements) whose zero value JSON writes as {}.
var emptyStructKeys = map[string]bool{"metadata": true, "resources": true}

// nullsOnly marks a mapping withoutNulls emptied, for its parent to drop.
const nullsOnly = "!krm-flink-nulls-only"

// blockStyle clears the flow and quoting styles JSON parsed with, so the
// encoder writes block YAML and quotes only what needs it.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}
