// Package manifest is the rendered object krm-flink writes: a Kubernetes
// object as an unstructured map, plus where in the output tree it belongs.
package manifest

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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

// Strings is a string list as an unstructured object holds it.
func Strings(vs []string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// StringMap is a string map as an unstructured object holds it: a new map,
// never nil.
func StringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ID is apiVersion/kind/namespace/name, unique within one environment.
func (o *Object) ID() string {
	return fmt.Sprintf("%s/%s/%s/%s", o.GroupVersionKind().Group, o.GetKind(), o.GetNamespace(), o.GetName())
}

// ParseYAML reads every YAML document of data as objects of one component.
// Empty documents are skipped; a document that is not an object with
// apiVersion, kind and metadata.name is an error.
func ParseYAML(component string, data []byte) ([]*Object, error) {
	return Decode(data).Objects(component)
}
