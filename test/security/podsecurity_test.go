package security

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

// podTemplates returns the pod templates the operator builds from a
// FlinkDeployment, by the field paths they come from: the shared
// spec.podTemplate, and for the JobManager and TaskManager their own
// podTemplate merged over it. The merge here is Kubernetes' strategic merge
// patch, not krm-flink's copy of the operator's: for the inputs checked
// (role templates that add init containers, sidecars after the shared
// ones, or scalars) both merge the same way.
func podTemplates(t *testing.T, o *manifest.Object) map[string]*corev1.PodTemplateSpec {
	t.Helper()
	out := map[string]*corev1.PodTemplateSpec{}
	shared, _, err := unstructured.NestedMap(o.Object, "spec", "podTemplate")
	if err != nil {
		t.Fatalf("%s: spec.podTemplate: %v", o.ID(), err)
	}
	decode := func(path string, raw map[string]any) {
		var tmpl corev1.PodTemplateSpec
		if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(raw, &tmpl, true); err != nil {
			t.Fatalf("%s: %s is not a pod template: %v", o.ID(), path, err)
		}
		out[path] = &tmpl
	}
	if shared != nil {
		decode("spec.podTemplate", shared)
	}
	for _, role := range []string{"jobManager", "taskManager"} {
		own, found, err := unstructured.NestedMap(o.Object, "spec", role, "podTemplate")
		if err != nil {
			t.Fatalf("%s: spec.%s.podTemplate: %v", o.ID(), role, err)
		}
		if !found {
			continue
		}
		base, _ := json.Marshal(shared)
		if shared == nil {
			base = []byte("{}")
		}
		over, _ := json.Marshal(own)
		merged, err := strategicpatch.StrategicMergePatch(base, over, corev1.PodTemplateSpec{})
		if err != nil {
			t.Fatalf("%s: spec.%s.podTemplate does not merge: %v", o.ID(), role, err)
		}
		var raw map[string]any
		if err := json.Unmarshal(merged, &raw); err != nil {
			t.Fatal(err)
		}
		decode("spec.podTemplate with spec."+role+".podTemplate", raw)
	}
	return out
}

var evaluator = func() policy.Evaluator {
	e, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		panic(err)
	}
	return e
}()

// evaluate checks a pod template against a Pod Security Standard level, at
// the latest policy version, and returns why it is forbidden ("" when it is
// allowed).
func evaluate(level psaapi.Level, tmpl *corev1.PodTemplateSpec) string {
	lv := psaapi.LevelVersion{Level: level, Version: psaapi.LatestVersion()}
	res := policy.AggregateCheckResults(evaluator.EvaluatePod(lv, &tmpl.ObjectMeta, &tmpl.Spec))
	if res.Allowed {
		return ""
	}
	return res.ForbiddenReason() + ": " + res.ForbiddenDetail()
}

// admittedByNamespace checks a FlinkDeployment's pod templates against what
// its Namespace (among objs) enforces, at the pinned policy version, and
// returns the namespace's enforce level.
func admittedByNamespace(t *testing.T, objs []*manifest.Object, o *manifest.Object) string {
	t.Helper()
	var ns *manifest.Object
	for _, n := range objs {
		if n.GetKind() == "Namespace" && n.GetName() == o.GetNamespace() {
			ns = n
		}
	}
	if ns == nil {
		t.Fatalf("%s: its Namespace is not rendered", o.ID())
	}
	labels := ns.GetLabels()
	level, err := psaapi.ParseLevel(labels[psaapi.EnforceLevelLabel])
	if err != nil {
		t.Fatalf("Namespace %s: %s: %v", ns.GetName(), psaapi.EnforceLevelLabel, err)
	}
	version, err := psaapi.ParseVersion(labels[psaapi.EnforceVersionLabel])
	if err != nil {
		t.Fatalf("Namespace %s: %s: %v", ns.GetName(), psaapi.EnforceVersionLabel, err)
	}
	for path, tmpl := range podTemplates(t, o) {
		res := policy.AggregateCheckResults(evaluator.EvaluatePod(psaapi.LevelVersion{Level: level, Version: version}, &tmpl.ObjectMeta, &tmpl.Spec))
		if !res.Allowed {
			t.Errorf("%s: %s is refused by its namespace (%s:%s): %s: %s", o.ID(), path, level, labels[psaapi.EnforceVersionLabel], res.ForbiddenReason(), res.ForbiddenDetail())
		}
	}
	return string(level)
}

func podSecurityLevel(o *manifest.Object) string {
	if level := o.GetAnnotations()[api.PodSecurityAnnotation]; level != "" {
		return level
	}
	return api.PodSecurityRestricted
}

// TestFlinkPodsMeetRestrictedPodSecurity evaluates the pod templates of
// every FlinkDeployment krm-flink renders (example platform and golden
// cases, every environment) with the upstream pod-security-admission policy
// library at "restricted", latest version, and at what their rendered
// Namespace enforces (restricted, at the pinned version).
func TestFlinkPodsMeetRestrictedPodSecurity(t *testing.T) {
	checked := 0
	for _, name := range sortedKeys(inputs(t)) {
		dir := inputs(t)[name]
		t.Run(name, func(t *testing.T) {
			byEnv, _ := renderSet(t, loadSet(t, dir))
			for _, env := range sortedKeys(byEnv) {
				for _, o := range byEnv[env] {
					if o.GetKind() != "FlinkDeployment" {
						continue
					}
					if level := podSecurityLevel(o); level != api.PodSecurityRestricted {
						t.Errorf("%s %s: opted out to %s; the examples and golden cases must not", env, o.ID(), level)
					}
					if enforce := admittedByNamespace(t, byEnv[env], o); enforce != api.PodSecurityRestricted {
						t.Errorf("%s %s: its namespace enforces %s, not restricted", env, o.ID(), enforce)
					}
					tmpls := podTemplates(t, o)
					if _, ok := tmpls["spec.podTemplate"]; !ok {
						t.Errorf("%s %s: no spec.podTemplate: nothing sets the pods' security context", env, o.ID())
					}
					for path, tmpl := range tmpls {
						if why := evaluate(psaapi.LevelRestricted, tmpl); why != "" {
							t.Errorf("%s %s: %s violates restricted: %s", env, o.ID(), path, why)
						}
						checked++
					}
				}
			}
		})
	}
	if checked == 0 {
		t.Fatal("no pod template checked")
	}
	t.Logf("%d FlinkDeployment pod templates meet restricted", checked)
}

func optOutJob(name, extra string) string {
	return fmt.Sprintf(`apiVersion: krm-flink.io/v1alpha1
kind: FlinkJobSpec
metadata: {name: %s, namespace: shop}
spec:
  owner: shop
  jarURI: local:///opt/flink/usrlib/job.jar
%s`, name, extra)
}

// TestPodSecurityOptOutIsExplicitAndVisible renders jobs that opt out of
// restricted, one of them only in one environment: the opt-out shows as an
// annotation on the FlinkDeployment and a warning naming the job's field,
// the pods meet the level they opted out to, and a job that says nothing
// stays restricted.
func TestPodSecurityOptOutIsExplicitAndVisible(t *testing.T) {
	files := map[string]string{
		"platform.yaml":   testutil.Platform + testutil.ComponentsOff,
		"default.yaml":    optOutJob("default", ""),
		"baseline.yaml":   optOutJob("rootful", "  podSecurity: baseline\n"),
		"privileged.yaml": optOutJob("legacy", "  podSecurity: privileged\n"),
		"dev-only.yaml":   optOutJob("debugging", "  environments:\n    dev: {podSecurity: baseline}\n"),
	}
	set := testutil.Set(t, files)
	byEnv, warnings := renderSet(t, set)
	want := map[string]string{ // env/job -> level
		"dev/default": "restricted", "dev/rootful": "baseline", "dev/legacy": "privileged", "dev/debugging": "baseline",
		"prod/default": "restricted", "prod/rootful": "baseline", "prod/legacy": "privileged", "prod/debugging": "restricted",
	}
	for _, env := range sortedKeys(byEnv) {
		for _, o := range byEnv[env] {
			if o.GetKind() != "FlinkDeployment" {
				continue
			}
			key := env + "/" + o.GetName()
			level := podSecurityLevel(o)
			if level != want[key] {
				t.Errorf("%s: level %s, want %s", key, level, want[key])
			}
			if _, annotated := o.GetAnnotations()[api.PodSecurityAnnotation]; annotated == (level == api.PodSecurityRestricted) {
				t.Errorf("%s: annotation %s present = %v; it must mark exactly the opt-outs", key, api.PodSecurityAnnotation, annotated)
			}
			// One job opted out to privileged: the shared namespace must admit it.
			if enforce := admittedByNamespace(t, byEnv[env], o); enforce != api.PodSecurityPrivileged {
				t.Errorf("%s: namespace enforces %s, want privileged (the loosest of its jobs)", key, enforce)
			}
			tmpl := podTemplates(t, o)["spec.podTemplate"]
			if why := evaluate(psaapi.Level(level), tmpl); why != "" {
				t.Errorf("%s: violates its own level %s: %s", key, level, why)
			}
			if level != api.PodSecurityRestricted && evaluate(psaapi.LevelRestricted, tmpl) == "" {
				t.Errorf("%s: opted out to %s but still renders restricted pods", key, level)
			}
			delete(want, key)
		}
	}
	if len(want) > 0 {
		t.Errorf("not rendered: %v", want)
	}
	got := map[string]bool{}
	for _, w := range warnings {
		got[w.String()] = true
	}
	for _, job := range []string{"baseline.yaml: FlinkJobSpec shop/rootful", "privileged.yaml: FlinkJobSpec shop/legacy", "dev-only.yaml: FlinkJobSpec shop/debugging"} {
		found := false
		for w := range got {
			if strings.HasPrefix(w, "warning: "+job+": spec.podSecurity: the job's Flink pods opt out of the restricted Pod Security Standard") {
				found = true
			}
		}
		if !found {
			t.Errorf("no warning for %s; warnings:\n%v", job, warnings)
		}
	}
	for w := range got {
		if strings.Contains(w, "shop/default") {
			t.Errorf("a restricted job got a warning: %s", w)
		}
	}
}
