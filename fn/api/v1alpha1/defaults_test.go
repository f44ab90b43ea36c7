package v1alpha1

import "testing"

// TestDefaultVersions pins the defaults table: a platform that sets no
// version gets these releases. Changing one is a product decision (README,
// docs/charts.md and the "defaults" golden follow).
func TestDefaultVersions(t *testing.T) {
	p := &FlinkPlatform{Spec: PlatformSpec{ClusterName: "c1", Region: "eu-west-1", Environments: []Environment{{Name: "dev"}}}}
	p.Default()
	s := &p.Spec
	got := map[string]string{
		"kubernetes":           s.KubernetesVersion,
		ComponentCertManager:   s.Components.CertManager.Version,
		ComponentFlinkOperator: s.Components.FlinkOperator.Version,
		ComponentFluentBit:     s.Components.FluentBit.Version,
		ComponentKarpenter:     s.Components.Karpenter.Version,
		"nodepool api":         s.Nodes.Karpenter.APIVersion,
	}
	want := map[string]string{
		"kubernetes":           "1.35.0",
		ComponentCertManager:   "v1.21.2",
		ComponentFlinkOperator: "1.15.0",
		ComponentFluentBit:     "0.2.0",
		ComponentKarpenter:     "1.14.1",
		"nodepool api":         KarpenterV1,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: default %q, want %q", k, got[k], w)
		}
	}
	// The newest flinkVersion the default operator runs is a default
	// platform's to use.
	if vs := SupportedFlinkVersions(s.Components.FlinkOperator.Version); len(vs) == 0 || vs[len(vs)-1] != "v2_2" {
		t.Errorf("operator %s runs %v", s.Components.FlinkOperator.Version, vs)
	}
}
