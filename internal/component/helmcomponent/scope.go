package helmcomponent

import (
	"context"
	"reflect"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/krm-flink/krm-flink/internal/manifest"
)

// scopes tells whether objects are namespaced. A kind's scope comes from,
// in order: the CRDs rendered with it (a CRD's spec.scope), client-go's
// typed clientset (every built-in kind of the Kubernetes release in
// go.mod), and kyaml's OpenAPI data (the API server's own extension kinds,
// CustomResourceDefinition and APIService, and kinds since removed). A kind
// none of them knows is taken as namespaced, as kustomize does: most custom
// kinds are, and the object then gets the component's namespace instead of
// whatever namespace the applier defaults to. A cluster-scoped custom kind
// is therefore recognised only when its CRD is rendered with it.
type scopes map[schema.GroupKind]bool // true: namespaced

// chartScopes returns the scopes the CRDs among objs define.
func chartScopes(objs []*manifest.Object) scopes {
	s := scopes{}
	crd := schema.GroupKind{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}
	for _, o := range objs {
		if o.GroupVersionKind().GroupKind() != crd {
			continue
		}
		group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
		scope, _, _ := unstructured.NestedString(o.Object, "spec", "scope")
		s[schema.GroupKind{Group: group, Kind: kind}] = scope != "Cluster"
	}
	return s
}

// namespaced tells whether o is a namespaced object.
func (s scopes) namespaced(o *manifest.Object) bool {
	gk := o.GroupVersionKind().GroupKind()
	if namespaced, ok := s[gk]; ok {
		return namespaced
	}
	if namespaced, ok := builtinScopes()[gk]; ok {
		return namespaced
	}
	if namespaced, ok := openapi.IsNamespaceScoped(kyaml.TypeMeta{APIVersion: o.GetAPIVersion(), Kind: o.GetKind()}); ok {
		return namespaced
	}
	return true
}

// builtinScopes are the scopes of every kind client-go's typed clientset
// serves. The clientset is generated from the Kubernetes API with one
// getter per resource, and the getter of a namespaced resource takes the
// namespace (Pods(namespace)) where a cluster-scoped one takes nothing
// (Namespaces()); the kind is that of the object the resource's Get or
// Create returns. So the list follows the client-go release in go.mod.
var builtinScopes = sync.OnceValue(func() scopes {
	s := scopes{}
	clientset := reflect.TypeFor[kubernetes.Interface]()
	for i := range clientset.NumMethod() {
		gv := clientset.Method(i).Type // CoreV1() CoreV1Interface
		if gv.NumIn() != 0 || gv.NumOut() != 1 || gv.Out(0).Kind() != reflect.Interface {
			continue
		}
		for j := range gv.Out(0).NumMethod() {
			getter := gv.Out(0).Method(j).Type // Pods(namespace string) PodInterface
			namespaced := getter.NumIn() == 1 && getter.In(0).Kind() == reflect.String
			if !namespaced && getter.NumIn() != 0 || getter.NumOut() != 1 || getter.Out(0).Kind() != reflect.Interface {
				continue
			}
			obj := resourceObject(getter.Out(0))
			if obj == nil {
				continue
			}
			kinds, _, err := scheme.Scheme.ObjectKinds(obj)
			if err != nil {
				continue
			}
			for _, k := range kinds {
				s[k.GroupKind()] = namespaced
			}
		}
	}
	return s
})

// resourceObject returns a new object of the type a typed resource client
// reads or creates: Get(ctx, name, GetOptions) or Create(ctx, obj,
// CreateOptions) returning (*T, error); nil when it has neither.
func resourceObject(client reflect.Type) runtime.Object {
	ctx := reflect.TypeFor[context.Context]()
	for _, name := range []string{"Get", "Create"} {
		m, ok := client.MethodByName(name)
		if !ok || m.Type.NumIn() != 3 || m.Type.In(0) != ctx || m.Type.NumOut() != 2 || m.Type.Out(0).Kind() != reflect.Pointer {
			continue
		}
		opts := m.Type.In(2)
		if opts != reflect.TypeFor[metav1.GetOptions]() && opts != reflect.TypeFor[metav1.CreateOptions]() {
			continue
		}
		if obj, ok := reflect.New(m.Type.Out(0).Elem()).Interface().(runtime.Object); ok {
			return obj
		}
	}
	return nil
}
