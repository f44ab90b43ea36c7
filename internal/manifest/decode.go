package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Documents are the YAML documents of a manifest, decoded into the plain
// maps ParseYAML wraps as objects.
type Documents struct {
	// Maps holds one map per decoded document, nil for an empty one.
	Maps []map[string]any
	// Err, when not nil, is the error of the document after the last of Maps.
	Err error
}

// Decode reads every YAML document of data. apimachinery's reader splits
// the stream at "---" lines, as kubectl does; each document is then read
// once by sigs.k8s.io/yaml, the library output.Marshal writes with, so
// what krm-flink writes reads back as the same map. The rules are theirs:
// YAML 1.1 scalars ("yes" is a boolean) and JSON values (every number a
// float64).
func Decode(data []byte) Documents {
	var d Documents
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for i := 1; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return d
		}
		if err != nil {
			d.Err = fmt.Errorf("document %d: %w", i, err)
			return d
		}
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			d.Err = fmt.Errorf("document %d: %w", i, err)
			return d
		}
		d.Maps = append(d.Maps, m)
	}
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

// Copy returns a deep copy of the documents, for a caller that changes the
// objects while others keep the originals.
func (d Documents) Copy() Documents {
	out := Documents{Maps: make([]map[string]any, len(d.Maps)), Err: d.Err}
	for i, m := range d.Maps {
		if m != nil {
			out.Maps[i] = runtime.DeepCopyJSON(m)
		}
	}
	return out
}
