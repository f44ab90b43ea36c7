// Package manifest is the rendered object krm-flink writes: a Kubernetes
// object as an unstructured map, plus where in the output tree it belongs.
package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	sigsyaml "sigs.k8s.io/yaml"
)

// Labels every rendered object carries.
const (
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedBy      = "krm-flink"
	ComponentLabel = "krm-flink.io/component"
)

// Object is one rendered Kubernetes object.
type Object struct {
	// Component is the krm-flink component that rendered it ("jobs", "rbac",
	// "cert-manager"...); the first folder of its output path.
	Component string
	*unstructured.Unstructured
}

// New wraps a plain map as an Object of a component.
func New(component string, obj map[string]any) *Object {
	return &Object{Component: component, Unstructured: &unstructured.Unstructured{Object: obj}}
}

// ID is apiVersion/kind/namespace/name, unique within one environment.
func (o *Object) ID() string {
	return fmt.Sprintf("%s/%s/%s/%s", o.GroupVersionKind().Group, o.GetKind(), o.GetNamespace(), o.GetName())
}

// ParseYAML reads every YAML document of data as objects of one component.
// Empty documents are skipped; a document that is not an object with
// apiVersion, kind and metadata.name is an error.
func ParseYAML(component string, data []byte) ([]*Object, error) {
	var out []*Object
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if node.Kind == 0 || len(node.Content) == 0 || node.Content[0].Tag == "!!null" {
			continue
		}
		raw, err := yaml.Marshal(&node)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		obj := map[string]any{}
		if err := sigsyaml.Unmarshal(raw, &obj); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if len(obj) == 0 {
			continue
		}
		o := New(component, obj)
		if o.GetAPIVersion() == "" || o.GetKind() == "" || o.GetName() == "" {
			return nil, fmt.Errorf("document %d is not a Kubernetes object: it needs apiVersion, kind and metadata.name", i+1)
		}
		out = append(out, o)
	}
}
