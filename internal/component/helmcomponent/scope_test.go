package helmcomponent_test

import (
	"testing"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/component/componenttest"
	"github.com/krm-flink/krm-flink/internal/component/helmcomponent"
	"github.com/krm-flink/krm-flink/internal/manifest"
)

func object(apiVersion, kind, name string) *manifest.Object {
	return manifest.New("test", map[string]any{
		"apiVersion": apiVersion,
		"kind":       kind,
		"metadata":   map[string]any{"name": name},
	})
}

func crd(group, kind, scope string) *manifest.Object {
	o := object("apiextensions.k8s.io/v1", "CustomResourceDefinition", kind+"s."+group)
	o.Object["spec"] = map[string]any{
		"group": group,
		"names": map[string]any{"kind": kind},
		"scope": scope,
	}
	return o
}

// TestFinishNamespacesByScope: Finish gives the component's namespace to
// every namespaced object that has none, judging scope by the chart's CRDs,
// then the built-in kinds, and taking an unknown kind as namespaced.
func TestFinishNamespacesByScope(t *testing.T) {
	tests := map[string]struct {
		obj           *manifest.Object
		wantNamespace string
	}{
		"built-in namespaced kind":                  {object("v1", "ConfigMap", "c"), "tools"},
		"built-in cluster-scoped kind":              {object("rbac.authorization.k8s.io/v1", "ClusterRole", "r"), ""},
		"ResourceSlice (a recent built-in)":         {object("resource.k8s.io/v1", "ResourceSlice", "s"), ""},
		"DeviceClass":                               {object("resource.k8s.io/v1", "DeviceClass", "d"), ""},
		"CustomResourceDefinition":                  {crd("example.com", "Widget", "Cluster"), ""},
		"APIService":                                {object("apiregistration.k8s.io/v1", "APIService", "v1.example.com"), ""},
		"cluster-scoped kind of the chart's CRD":    {object("example.com/v1", "Widget", "w"), ""},
		"namespaced kind of the chart's CRD":        {object("example.com/v1", "Gadget", "g"), "tools"},
		"unknown kind: namespaced":                  {object("example.org/v1", "Mystery", "m"), "tools"},
		"a namespace the chart set is kept":         {object("v1", "Secret", "s"), "elsewhere"},
		"same kind in another group is not a CRD's": {object("other.example.com/v1", "Widget", "w"), "tools"},
	}
	p := componenttest.Plan(t, componenttest.Set(t, componenttest.Platform), "dev")
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.wantNamespace == "elsewhere" {
				tc.obj.SetNamespace("elsewhere")
			}
			objs := []*manifest.Object{
				crd("example.com", "Widget", "Cluster"),
				crd("example.com", "Gadget", "Namespaced"),
				tc.obj,
			}
			if _, err := helmcomponent.Finish(p, "test", &api.Component{Namespace: "tools"}, objs, "test objects"); err != nil {
				t.Fatal(err)
			}
			if got := tc.obj.GetNamespace(); got != tc.wantNamespace {
				t.Errorf("%s %s: namespace %q, want %q", tc.obj.GetAPIVersion(), tc.obj.GetKind(), got, tc.wantNamespace)
			}
		})
	}
}
