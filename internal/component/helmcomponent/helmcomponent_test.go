package helmcomponent_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	helmchart "helm.sh/helm/v3/pkg/chart"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart/charttest"
	"github.com/krm-flink/krm-flink/internal/component/componenttest"
	"github.com/krm-flink/krm-flink/internal/component/flinkoperator"
	"github.com/krm-flink/krm-flink/internal/component/helmcomponent"
	"github.com/krm-flink/krm-flink/internal/component/karpenter"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// onV1beta1 is the test platform on karpenter.sh/v1beta1 NodePools: its
// Karpenter is the 0.34.0 fixture, which has hooks, webhooks, a PDB and a
// Secret for these tests to act on.
var onV1beta1 = strings.Replace(componenttest.Platform, "    karpenter:\n      nodeClass:", "    karpenter:\n      apiVersion: v1beta1\n      nodeClass:", 1)

func renderKarpenter(t *testing.T, components string, jobs ...string) ([]*manifest.Object, problem.List) {
	t.Helper()
	docs := append([]string{onV1beta1 + "  components:\n" + components}, jobs...)
	objs, _, errs := componenttest.Render(t, karpenter.New(componenttest.Resolver(t)), componenttest.Plan(t, componenttest.Set(t, docs...), "dev"))
	return objs, errs
}

func hooks(objs []*manifest.Object) (pre, test []*manifest.Object) {
	for _, o := range objs {
		if strings.HasSuffix(o.GetName(), "-preinstall") {
			pre = append(pre, o)
		}
		if strings.HasSuffix(o.GetName(), "-test") {
			test = append(test, o)
		}
	}
	return pre, test
}

// TestHooksPolicy: test hooks always go; other hooks stay as plain objects
// (Plain), keep their annotations (Keep) or go (Drop).
func TestHooksPolicy(t *testing.T) {
	for policy, want := range map[string]struct {
		pre      int
		hookAnn  bool
		recorded bool
	}{
		"":      {1, false, true},
		"Plain": {1, false, true},
		"Keep":  {1, true, false},
		"Drop":  {0, false, false},
	} {
		t.Run("policy "+policy, func(t *testing.T) {
			comp := "    karpenter:\n      enabled: true\n"
			if policy != "" {
				comp += "      hooks: " + policy + "\n"
			}
			objs, errs := renderKarpenter(t, comp)
			if errs != nil {
				t.Fatal(errs)
			}
			pre, test := hooks(objs)
			if len(test) != 0 {
				t.Error("a test hook was rendered")
			}
			if len(pre) != want.pre {
				t.Fatalf("pre-install hooks: %d, want %d", len(pre), want.pre)
			}
			for _, o := range pre {
				ann := o.GetAnnotations()
				if _, ok := ann["helm.sh/hook"]; ok != want.hookAnn {
					t.Errorf("helm.sh/hook present: %v, want %v", ok, want.hookAnn)
				}
				if _, ok := ann["helm.sh/hook-delete-policy"]; ok != want.hookAnn {
					t.Errorf("helm.sh/hook-delete-policy present: %v", ok)
				}
				if got := ann[helmcomponent.HookAnnotation]; (got == "pre-install") != want.recorded {
					t.Errorf("%s = %q", helmcomponent.HookAnnotation, got)
				}
				if o.GetNamespace() != "karpenter" {
					t.Errorf("hook namespace %q", o.GetNamespace())
				}
			}
		})
	}
}

// TestNamespaces: every namespaced object has its namespace, cluster-scoped
// ones (well-known kinds and the chart's own CRD kinds) have none.
func TestNamespaces(t *testing.T) {
	objs, errs := renderKarpenter(t, "    karpenter:\n      namespace: kube-system\n")
	if errs != nil {
		t.Fatal(errs)
	}
	for _, o := range objs {
		cluster := map[string]bool{"ClusterRole": true, "ClusterRoleBinding": true, "CustomResourceDefinition": true,
			"ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true, "Namespace": true}[o.GetKind()]
		if cluster != (o.GetNamespace() == "") {
			t.Errorf("%s %s: namespace %q", o.GetKind(), o.GetName(), o.GetNamespace())
		}
		if !cluster && o.GetNamespace() != "kube-system" {
			t.Errorf("%s %s in %s", o.GetKind(), o.GetName(), o.GetNamespace())
		}
		if o.GetKind() == "Namespace" {
			t.Error("rendered the kube-system Namespace")
		}
	}
}

// TestNamespaceOwner: two components sharing a namespace render it once,
// and nobody renders a system namespace or a job namespace (rbac owns it;
// a job cannot share a component's namespace).
func TestNamespaceOwner(t *testing.T) {
	p := componenttest.Plan(t, componenttest.Set(t, componenttest.Platform+`  components:
    karpenter:
      namespace: platform
    flink-operator:
      namespace: platform
`, componenttest.Job("team-a", "j1")), "dev")
	for ns, want := range map[string]string{"platform": api.ComponentFlinkOperator, "team-a": "", "kube-system": "", "nothing": ""} {
		if got := helmcomponent.NamespaceOwner(p, ns); got != want {
			t.Errorf("owner of %s: %q, want %q", ns, got, want)
		}
	}
	objs, _, errs := componenttest.Render(t, karpenter.New(componenttest.Resolver(t)), p)
	if errs != nil || componenttest.Find(objs, "Namespace", "", "platform") != nil {
		t.Errorf("karpenter rendered the operator's Namespace (%v)", errs)
	}
	objs, _, errs = componenttest.Render(t, flinkoperator.New(componenttest.Resolver(t)), p)
	if errs != nil || componenttest.Find(objs, "Namespace", "", "platform") == nil {
		t.Errorf("the operator did not render its Namespace (%v)", errs)
	}
}

// TestDrop: selectors drop what they match; one that matches nothing is an
// error naming its field path.
func TestDrop(t *testing.T) {
	objs, errs := renderKarpenter(t, `    karpenter:
      drop:
        - kind: PodDisruptionBudget
        - apiVersion: admissionregistration.k8s.io/v1
          name: "*.webhook.karpenter.k8s.aws"
        - kind: Secret
          namespace: karpenter
          name: karpenter-cert
`)
	if errs != nil {
		t.Fatal(errs)
	}
	for _, o := range objs {
		switch o.GetKind() {
		case "PodDisruptionBudget", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "Secret":
			t.Errorf("not dropped: %s %s", o.GetKind(), o.GetName())
		}
	}
	if componenttest.Find(objs, "Deployment", "karpenter", "karpenter") == nil {
		t.Error("dropped too much")
	}
	_, errs = renderKarpenter(t, `    karpenter:
      drop:
        - kind: Deployment
        - kind: Deployment
          name: renamed-upstream
`)
	if len(errs) != 1 || errs[0].Field != "spec.components.karpenter.drop[1]" || !strings.Contains(errs[0].Message, "matches no object of karpenter 0.34.0") {
		t.Errorf("unmatched selector: %v", errs)
	}
}

// TestValuesSchema: raw values the chart's schema rejects are an error at
// the component's values.
func TestValuesSchema(t *testing.T) {
	_, errs := renderKarpenter(t, "    karpenter:\n      values:\n        replicas: many\n")
	if len(errs) != 1 || errs[0].Field != "spec.components.karpenter.values" || !strings.Contains(errs[0].Message, "replicas") {
		t.Errorf("schema: %v", errs)
	}
	objs, errs := renderKarpenter(t, "    karpenter:\n      values:\n        replicas: 5\n        settings:\n          clusterName: override\n")
	if errs != nil {
		t.Fatal(errs)
	}
	y := componenttest.YAML(t, objs)
	if !strings.Contains(y, "replicas: 5") || !strings.Contains(y, "value: override") {
		t.Error("raw values were not merged last")
	}
}

func TestMerge(t *testing.T) {
	base := map[string]any{"a": map[string]any{"b": 1, "c": []any{1, 2}}, "d": "x", "e": true}
	over := map[string]any{"a": map[string]any{"c": []any{3}, "f": 4}, "d": nil}
	got := helmcomponent.Merge(base, over)
	want := map[string]any{"a": map[string]any{"b": 1, "c": []any{3}, "f": 4}, "e": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, ok := base["a"].(map[string]any)["f"]; ok {
		t.Error("Merge changed its input")
	}
}

func TestAPIVersions(t *testing.T) {
	p := componenttest.Plan(t, componenttest.Set(t, componenttest.Platform+"  apiVersions: [monitoring.coreos.com/v1]\n"), "dev")
	got := strings.Join(helmcomponent.APIVersions(p), " ")
	want := "acme.cert-manager.io/v1 cert-manager.io/v1 flink.apache.org/v1beta1 karpenter.k8s.aws/v1 karpenter.sh/v1 monitoring.coreos.com/v1"
	if got != want {
		t.Errorf("got %s", got)
	}
	// A range pin says no API version: the platform's NodePool API does.
	ranged := strings.Replace(componenttest.Platform, "  nodes:\n    karpenter:\n", "  nodes:\n    karpenter:\n      apiVersion: v1\n", 1) +
		"  components:\n    karpenter:\n      version: \"^1.14\"\n"
	apis := helmcomponent.APIVersions(componenttest.Plan(t, componenttest.Set(t, ranged), "dev"))
	if !slices.Contains(apis, "karpenter.sh/v1") || !slices.Contains(apis, "karpenter.k8s.aws/v1") || slices.Contains(apis, "karpenter.sh/v1beta1") {
		t.Errorf("range pin on v1 NodePools: %v", apis)
	}
}

// TestRemovedAPIs: an object of a built-in API the platform's Kubernetes
// no longer serves (a chart that does not gate it on .Capabilities) is an
// error naming the component and the release that removed the API, unless
// the platform targets an older Kubernetes or a drop selector takes it out.
// PodSecurityPolicy, whose type k8s.io/api deleted, is known all the same;
// a kind of a built-in group version that no release knows is a warning.
func TestRemovedAPIs(t *testing.T) {
	c := charttest.Fixture(t, "karpenter")
	c.Templates = append(c.Templates, &helmchart.File{Name: "templates/legacy.yaml", Data: []byte(`apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: karpenter-legacy
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: karpenter}}
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: karpenter
spec:
  privileged: false
---
apiVersion: policy/v1beta1
kind: PodSecurityScheme
metadata:
  name: karpenter
`)})
	tgz, _ := charttest.Package(t, c)
	component := "    karpenter:\n      chart: {path: " + tgz + "}\n"
	for name, tc := range map[string]struct {
		kube, extra string
		wantErr     bool
	}{
		"1.29 refuses it":      {kube: "1.29.0", wantErr: true},
		"1.24 still serves it": {kube: "1.24.0"},
		"dropped":              {kube: "1.29.0", extra: "      drop: [{apiVersion: policy/v1beta1, kind: PodDisruptionBudget}, {kind: PodSecurityPolicy}]\n"},
	} {
		t.Run(name, func(t *testing.T) {
			platform := strings.Replace(onV1beta1, "spec:\n", "spec:\n  kubernetesVersion: \""+tc.kube+"\"\n", 1) +
				"  components:\n" + component + tc.extra
			objs, warns, errs := componenttest.Render(t, karpenter.New(componenttest.Resolver(t)), componenttest.Plan(t, componenttest.Set(t, platform), "dev"))
			if tc.wantErr {
				if len(errs) != 2 || errs[0].Field != "spec.components.karpenter" ||
					!strings.Contains(errs.Error(), "PodDisruptionBudget karpenter/karpenter-legacy of policy/v1beta1, which Kubernetes 1.25 stopped serving") ||
					!strings.Contains(errs.Error(), "PodSecurityPolicy karpenter of policy/v1beta1, which Kubernetes 1.25 stopped serving") {
					t.Errorf("want errors about both removed APIs, got %v", errs)
				}
				return
			}
			if errs != nil {
				t.Fatal(errs)
			}
			if pdb := componenttest.Find(objs, "PodDisruptionBudget", "karpenter", "karpenter-legacy"); (pdb != nil) != (tc.extra == "") {
				t.Errorf("legacy PodDisruptionBudget rendered: %v", pdb != nil)
			}
			if !strings.Contains(warns.Error(), "PodSecurityScheme karpenter/karpenter of policy/v1beta1, a kind current Kubernetes releases no longer serve") {
				t.Errorf("want a warning about the kind Kubernetes does not know, got %v", warns)
			}
		})
	}
}

// TestRequireDigestsCoversChartImages: with spec.requireDigests, a chart's
// workload images given by tag are errors naming the object and container,
// as the Flink images are; pinned through the chart's values, they pass.
func TestRequireDigestsCoversChartImages(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	platform := strings.Replace(onV1beta1, "spec:\n", "spec:\n  requireDigests: true\n", 1)
	platform = strings.Replace(platform, "image: flink:1.18", "image: flink@"+digest, 1)
	render := func(components string) problem.List {
		t.Helper()
		set := componenttest.Set(t, platform+"  components:\n"+components)
		_, _, errs := componenttest.Render(t, karpenter.New(componenttest.Resolver(t)), componenttest.Plan(t, set, "dev"))
		return errs
	}
	errs := render("    karpenter: {}\n")
	if len(errs) != 2 || !strings.Contains(errs.Error(), `Deployment karpenter/karpenter, container controller, with image "public.ecr.aws/karpenter/controller:0.34.0": is given by tag`) ||
		!strings.Contains(errs.Error(), "Job karpenter/karpenter-preinstall") {
		t.Errorf("want the controller and the hook Job refused, got %v", errs)
	}
	pinned := "    karpenter:\n      hooks: Drop\n      values:\n        controller:\n          image: {digest: \"" + digest + "\"}\n"
	if errs := render(pinned); errs != nil {
		t.Errorf("pinned by digest: %v", errs)
	}
}
