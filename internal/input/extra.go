package input

import (
	"fmt"
	"slices"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// ExtraComponent is the component, and so the output folder, of the user's
// own objects passed through to the overlays.
const ExtraComponent = "extra"

// Extra is an object of the user's own (a ConfigMap, a NetworkPolicy, an
// ExternalSecret) that krm-flink does not generate but passes through to the
// overlays of the environments it belongs to.
type Extra struct {
	Object *manifest.Object
	File   string
	// Envs are the environments it goes into; nil means every one.
	Envs []string
}

// Ref names the object in problems.
func (e *Extra) Ref() problem.ObjectRef {
	return problem.ObjectRef{APIVersion: e.Object.GetAPIVersion(), Kind: e.Object.GetKind(), Namespace: e.Object.GetNamespace(), Name: e.Object.GetName()}
}

// In tells whether the object goes into env.
func (e *Extra) In(env string) bool {
	return e.Envs == nil || slices.Contains(e.Envs, env)
}

// clusterScoped are the built-in kinds without a namespace; a kind of an
// add-on is taken as cluster-scoped when its name starts with "Cluster"
// (ClusterSecretStore, ClusterIssuer), the convention every common one follows.
var clusterScoped = map[string]bool{
	"Namespace": true, "CustomResourceDefinition": true, "StorageClass": true, "PriorityClass": true,
	"PersistentVolume": true, "IngressClass": true, "RuntimeClass": true, "APIService": true,
	"ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true, "CSIDriver": true,
}

// IsClusterScoped tells whether a kind is taken as cluster-scoped.
func IsClusterScoped(kind string) bool {
	return clusterScoped[kind] || strings.HasPrefix(kind, "Cluster")
}

// DecodeExtra reads a document of any other kind as an object to pass
// through, reporting every reason it cannot be: no apiVersion, kind or name;
// a namespaced kind without a namespace; a Secret holding values; a label
// that would make krm-flink take it for its own output.
func DecodeExtra(d *Document) (*Extra, problem.List) {
	objs, err := manifest.ParseYAML(ExtraComponent, d.JSON)
	if err != nil || len(objs) != 1 {
		var probs problem.List
		for _, f := range []struct{ field, value string }{{"apiVersion", d.Type.APIVersion}, {"kind", d.Type.Kind}, {"metadata.name", d.Type.Metadata.Name}} {
			if f.value == "" {
				probs = append(probs, problem.Errorf(d.File, d.Ref(), f.field, "Required value: every object needs apiVersion, kind and metadata.name"))
			}
		}
		if len(probs) == 0 {
			probs = append(probs, problem.Errorf(d.File, d.Ref(), "", "not a Kubernetes object: %v", err))
		}
		return nil, probs
	}
	e := &Extra{Object: objs[0], File: d.File}
	return e, e.check()
}

// check reports what makes the object unfit for an overlay. It is the same
// in the CLI and in function mode, where the object is an item.
func (e *Extra) check() problem.List {
	o := e.Object
	var probs problem.List
	add := func(field, format string, args ...any) {
		probs = append(probs, problem.Errorf(e.File, e.Ref(), field, format, args...))
	}
	group := o.GroupVersionKind().Group
	switch {
	case group == api.Group && (o.GetKind() == api.KindPlatform || api.IsInputJobKind(o.GetKind())):
		add("apiVersion", "unsupported apiVersion %q; krm-flink reads %s", o.GetAPIVersion(), api.APIVersion)
		return probs
	case group == api.Group:
		add("kind", "unknown kind %q: krm-flink reads %s, %s, %s and %s (%s)", o.GetKind(), api.KindPlatform, api.KindJob, api.KindSession, api.KindSessionJob, api.APIVersion)
		return probs
	}
	if o.GetKind() == "Secret" && group == "" {
		for _, f := range []string{"data", "stringData"} {
			if m, ok := o.Object[f].(map[string]any); ok && len(m) > 0 {
				add(f, "a Secret's values must not be committed: use an ExternalSecret or a SealedSecret, or create the Secret out of band")
			}
		}
	}
	switch ns := o.GetNamespace(); {
	case ns == "" && !IsClusterScoped(o.GetKind()):
		add("metadata.namespace", "Required value: a namespaced object needs its namespace (krm-flink does not default one)")
	case ns != "" && IsClusterScoped(o.GetKind()):
		add("metadata.namespace", "Forbidden: %s is cluster-scoped", o.GetKind())
	}
	if o.GetLabels()[manifest.ManagedByLabel] == manifest.ManagedBy {
		add("metadata.labels["+manifest.ManagedByLabel+"]", "Forbidden: this label marks what krm-flink generates, which it replaces and prunes")
	}
	if v, ok := o.GetAnnotations()[api.EnvironmentsAnnotation]; ok {
		e.Envs = []string{}
		for _, env := range strings.Split(v, ",") {
			if env = strings.TrimSpace(env); env != "" {
				e.Envs = append(e.Envs, env)
			}
		}
		if len(e.Envs) == 0 {
			add("metadata.annotations["+api.EnvironmentsAnnotation+"]", "Invalid value: %q: name one or more environments, comma-separated, or drop the annotation for all", v)
		}
	}
	return probs
}

// CheckExtraEnvironments reports environments an extra names that the
// platform does not define.
func CheckExtraEnvironments(extras []*Extra, envs []string) problem.List {
	var probs problem.List
	for _, e := range extras {
		for _, env := range e.Envs {
			if !slices.Contains(envs, env) {
				probs = append(probs, problem.Errorf(e.File, e.Ref(), "metadata.annotations["+api.EnvironmentsAnnotation+"]",
					"Unsupported value: %q: the platform's environments are %s", env, strings.Join(envs, ", ")))
			}
		}
	}
	return probs
}

// NewExtra wraps an object the KRM function received as an item, with the
// same checks as the CLI's.
func NewExtra(obj *manifest.Object, file string) (*Extra, problem.List) {
	e := &Extra{Object: obj, File: file}
	return e, e.check()
}

// String names the object as Kind namespace/name.
func (e *Extra) String() string {
	return fmt.Sprint(e.Ref())
}
