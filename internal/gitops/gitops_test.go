package gitops

import (
	"reflect"
	"testing"

	"github.com/krm-flink/krm-flink/internal/manifest"
)

func obj(component, apiVersion, kind, name string, extra map[string]any) *manifest.Object {
	m := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": name}}
	for k, v := range extra {
		m[k] = v
	}
	return manifest.New(component, m)
}

func TestAnnotateOrdersLayersAndWaves(t *testing.T) {
	crd := obj("flink-operator", "apiextensions.k8s.io/v1", "CustomResourceDefinition", "flinkdeployments.flink.apache.org",
		map[string]any{"spec": map[string]any{"group": "flink.apache.org", "names": map[string]any{"kind": "FlinkDeployment"}}})
	cases := []struct {
		o                 *manifest.Object
		layer, wave, opts string
	}{
		{crd, LayerCRDs, "-3", "Delete=false,Prune=false,ServerSideApply=true"},
		{obj("cert-manager", "apps/v1", "Deployment", "cert-manager", nil), LayerPrerequisites, "-2", ""},
		{obj("flink-operator", "cert-manager.io/v1", "Certificate", "serving", nil), LayerInfrastructure, "-1", ""},
		{obj("rbac", "v1", "Namespace", "team", nil), LayerInfrastructure, "-1", "Delete=false,Prune=false"},
		{obj("rbac", "v1", "Namespace", "team2", map[string]any{"metadata": map[string]any{"name": "team2",
			"annotations": map[string]any{SyncOptionsAnnotation: "Prune=confirm"}}}), LayerInfrastructure, "-1", "Delete=false,Prune=false"},
		{obj("karpenter", "v1", "Namespace", "karpenter", nil), LayerInfrastructure, "-1", ""},
		// A chart's own sync options are kept beside krm-flink's.
		{obj("karpenter", "v1", "ConfigMap", "chart-opts", map[string]any{"metadata": map[string]any{"name": "chart-opts",
			"annotations": map[string]any{SyncOptionsAnnotation: "Validate=false, ServerSideApply=true"}}}), LayerInfrastructure, "-1", "ServerSideApply=true,Validate=false"},
		{obj("nodepools", "karpenter.sh/v1beta1", "NodePool", "team.job", nil), LayerWorkloads, "0", ""},
		{obj("jobs", "flink.apache.org/v1beta1", "FlinkDeployment", "job", nil), LayerWorkloads, "1", "SkipDryRunOnMissingResource=true"},
		{obj("jobs", "flink.apache.org/v1beta1", "FlinkBlueGreenDeployment", "bg", nil), LayerWorkloads, "1", ""},
		// Session jobs after their session cluster, snapshots after their job.
		{obj("jobs", "flink.apache.org/v1beta1", "FlinkSessionJob", "session-job", nil), LayerWorkloads, "2", ""},
		{obj("snapshots", "flink.apache.org/v1beta1", "FlinkStateSnapshot", "job-savepoint", nil), LayerSnapshots, "3", ""},
		{obj("karpenter", "batch/v1", "Job", "karpenter-preinstall", nil), LayerInfrastructure, "-1", "Force=true,Replace=true"},
	}
	objs := make([]*manifest.Object, len(cases))
	for i, c := range cases {
		objs[i] = c.o
	}
	Annotate(objs)
	for _, c := range cases {
		if got := LayerOf(c.o); got != c.layer {
			t.Errorf("%s: layer %s, want %s", c.o.GetKind(), got, c.layer)
		}
		ann := c.o.GetAnnotations()
		if ann[SyncWaveAnnotation] != c.wave || ann[SyncOptionsAnnotation] != c.opts {
			t.Errorf("%s: wave %q options %q, want %q %q", c.o.GetKind(), ann[SyncWaveAnnotation], ann[SyncOptionsAnnotation], c.wave, c.opts)
		}
		// CRDs and job Namespaces survive a prune or a deleted Application:
		// losing them deletes every FlinkDeployment or every object in the
		// namespace.
		keep := c.o.GetKind() == "CustomResourceDefinition" || c.o.GetKind() == "Namespace" && c.o.Component == "rbac"
		if got := ann[FluxPruneAnnotation] == "disabled"; got != keep {
			t.Errorf("%s %s: Flux prune disabled %v, want %v", c.o.GetKind(), c.o.GetName(), got, keep)
		}
		// Only a Job (immutable pod template) is recreated on change.
		if force := ann[FluxForceAnnotation] == "enabled"; force != (c.o.GetKind() == "Job") {
			t.Errorf("%s: Flux force %v", c.o.GetKind(), force)
		}
	}
}

func TestFluxKustomizationsChainLayers(t *testing.T) {
	ks := FluxKustomizations("prod", Layers, Flux{Namespace: "flux-system", SourceKind: "GitRepository", SourceName: "repo", Path: "./overlays", Interval: "10m", Prefix: "flink"})
	if len(ks) != len(Layers) {
		t.Fatalf("%d kustomizations", len(ks))
	}
	for i, k := range ks {
		spec := k.Object["spec"].(map[string]any)
		if want := "./overlays/prod/" + Layers[i]; spec["path"] != want {
			t.Errorf("path %v, want %s", spec["path"], want)
		}
		deps, _ := spec["dependsOn"].([]any)
		if i == 0 && deps != nil {
			t.Errorf("the first layer depends on %v", deps)
		}
		if i > 0 && (len(deps) != 1 || deps[0].(map[string]any)["name"] != ks[i-1].GetName()) {
			t.Errorf("%s depends on %v, want %s", k.GetName(), deps, ks[i-1].GetName())
		}
		if spec["wait"] != true || spec["prune"] != true {
			t.Errorf("%s: wait and prune must be on", k.GetName())
		}
	}
}

func TestIgnoreDifferencesOnlyForRenderedKinds(t *testing.T) {
	objs := []*manifest.Object{obj("flink-operator", "admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "w", nil)}
	got := IgnoreDifferences(objs)
	if len(got) != 1 || got[0].(map[string]any)["kind"] != "ValidatingWebhookConfiguration" {
		t.Errorf("IgnoreDifferences = %v", got)
	}
}

func TestIgnoreDifferencesForCRDs(t *testing.T) {
	crd := func(conversion map[string]any) *manifest.Object {
		spec := map[string]any{"group": "example.com"}
		if conversion != nil {
			spec["conversion"] = conversion
		}
		return obj("c", "apiextensions.k8s.io/v1", "CustomResourceDefinition", "things.example.com", map[string]any{"spec": spec})
	}
	cases := []struct {
		name string
		crd  *manifest.Object
		want []any
	}{
		{"no conversion", crd(nil), []any{zeroPrinterColumnPriority}},
		{"conversion None", crd(map[string]any{"strategy": "None"}), []any{zeroPrinterColumnPriority}},
		{"conversion webhook", crd(map[string]any{"strategy": "Webhook", "webhook": map[string]any{}}), []any{zeroPrinterColumnPriority, conversionCABundle}},
	}
	for _, c := range cases {
		got := IgnoreDifferences([]*manifest.Object{c.crd})
		if len(got) != 1 {
			t.Fatalf("%s: %v", c.name, got)
		}
		if exprs := got[0].(map[string]any)["jqPathExpressions"]; !reflect.DeepEqual(exprs, c.want) {
			t.Errorf("%s: %v, want %v", c.name, exprs, c.want)
		}
	}
}
