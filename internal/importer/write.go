package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
)

// Write writes every job's file under dir, <namespace>/<name>.yaml. Each
// file is written beside its place and renamed into it, so a reader never
// sees half a file; other files in dir are left alone.
func Write(dir string, jobs []*Job) error {
	for _, j := range jobs {
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

// Marshal writes a FlinkJobSpec as YAML in the order of its Go fields
// (apiVersion, kind, metadata, then spec from owner on), as a person would
// write it, rather than sorted.
func Marshal(spec *api.FlinkJobSpec) ([]byte, error) {
	data, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
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

// blockStyle clears the flow and quoting styles JSON parsed with, so the
// encoder writes block YAML and quotes only what needs it.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}
