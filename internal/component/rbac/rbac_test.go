package rbac_test

import (
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/component/componenttest"
	"github.com/krm-flink/krm-flink/internal/component/rbac"
)

// TestNamespacePodSecurity: a job namespace enforces the loosest Pod
// Security level its jobs are rendered for in that environment (restricted
// unless one opted out), warns and audits at restricted, and pins the policy
// to the platform's Kubernetes minor.
func TestNamespacePodSecurity(t *testing.T) {
	platform := strings.Replace(componenttest.Platform, "spec:\n", "spec:\n  kubernetesVersion: \"1.30.4\"\n", 1)
	optOut := func(ns, name, level string) string {
		return componenttest.Job(ns, name) + "  podSecurity: " + level + "\n"
	}
	prodOnlyOptOut := componenttest.Job("mixed-env", "j") + "  environments:\n    prod:\n      podSecurity: privileged\n"
	set := componenttest.Set(t, platform,
		componenttest.Job("strict", "a"), componenttest.Job("strict", "b"),
		componenttest.Job("mixed", "a"), optOut("mixed", "b", "baseline"),
		optOut("loose", "a", "baseline"), optOut("loose", "b", "privileged"),
		prodOnlyOptOut)
	for _, tc := range []struct{ env, ns, enforce string }{
		{"dev", "strict", "restricted"},
		{"dev", "mixed", "baseline"},
		{"dev", "loose", "privileged"},
		{"dev", "mixed-env", "restricted"},
		{"prod", "mixed-env", "privileged"},
	} {
		objs, _, errs := componenttest.Render(t, rbac.Renderer{}, componenttest.Plan(t, set, tc.env))
		if errs != nil {
			t.Fatal(errs)
		}
		ns := componenttest.Find(objs, "Namespace", "", tc.ns)
		if ns == nil {
			t.Fatalf("%s: no Namespace %s", tc.env, tc.ns)
		}
		labels := ns.GetLabels()
		want := map[string]string{
			rbac.PodSecurityEnforceLabel:                 tc.enforce,
			"pod-security.kubernetes.io/enforce-version": "v1.30",
			"pod-security.kubernetes.io/warn":            "restricted",
			"pod-security.kubernetes.io/warn-version":    "v1.30",
			"pod-security.kubernetes.io/audit":           "restricted",
			"pod-security.kubernetes.io/audit-version":   "v1.30",
		}
		for k, v := range want {
			if labels[k] != v {
				t.Errorf("%s/%s: %s=%q, want %q", tc.env, tc.ns, k, labels[k], v)
			}
		}
	}
}
