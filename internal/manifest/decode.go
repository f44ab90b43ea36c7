package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/json"
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
// the stream at "---" lines, as kubectl does; apimachinery's ToJSON keeps a
// document that already is JSON (as the built-in job chart writes them) and
// turns any other into JSON with sigs.k8s.io/yaml under YAML 1.1 rules
// ("yes" is a boolean), as kubectl reads it; sigs.k8s.io/json reads that
// JSON as Kubernetes reads unstructured objects: a whole number is an
// int64, any other a float64. Encode writes numbers of those types back
// unchanged (a float64 of a whole number would come out as 1e+06).
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
		j, err := utilyaml.ToJSON(doc)
		if err != nil {
			d.Err = fmt.Errorf("document %d: error converting YAML to JSON: %w", i, err)
			return d
		}
		var m map[string]any
		if err := json.UnmarshalCaseSensitivePreserveInts(j, &m); err != nil {
			d.Err = fmt.Errorf("document %d: error unmarshaling JSON: %w", i, err)
			return d
		}
		d.Maps = append(d.Maps, m)
	}
}

// Objects wraps the decoded documents as objects of one component, exactly
// as ParseYAML does: empty documents are skipped; a list (a kind ending in
// List, with items, as kubectl, Helm and kustomize read it) stands for its
// items; a document or item that is not an object with apiVersion, kind and
// metadata.name is an error.
func (d Documents) Objects(component string) ([]*Object, error) {
	var out []*Object
	for i, m := range d.Maps {
		if len(m) == 0 {
			continue
		}
		o := New(component, m)
		if !IsList(m) {
			if !isObject(o) {
				return nil, fmt.Errorf("document %d is not a Kubernetes object: it needs apiVersion, kind and metadata.name", i+1)
			}
			out = append(out, o)
			continue
		}
		item := 0
		err := o.EachListItem(func(obj runtime.Object) error {
			item++
			o := &Object{Component: component, Unstructured: obj.(*unstructured.Unstructured)}
			if !isObject(o) {
				return fmt.Errorf("item %d is not a Kubernetes object: it needs apiVersion, kind and metadata.name", item)
			}
			out = append(out, o)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("document %d (%s): %w", i+1, o.GetKind(), err)
		}
	}
	if d.Err != nil {
		return nil, d.Err
	}
	return out, nil
}

// IsList reports whether obj is a list as kubectl, Helm and kustomize read
// one: a kind ending in List, with items.
func IsList(obj map[string]any) bool {
	kind, _ := obj["kind"].(string)
	_, ok := obj["items"].([]any)
	return ok && strings.HasSuffix(kind, "List")
}

func isObject(o *Object) bool {
	return o.GetAPIVersion() != "" && o.GetKind() != "" && o.GetName() != ""
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
