package resolve

import (
	"testing"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
)

func TestReservedNamespace(t *testing.T) {
	p := &api.FlinkPlatform{Spec: api.PlatformSpec{ClusterName: "c1", Region: "r", Environments: []api.Environment{{Name: "dev"}}}}
	p.Spec.Components.CertManager.Enabled = new(bool)
	p.Spec.GitOps.ArgoCD = &api.ArgoCD{Enabled: true}
	p.Default()
	for ns, reserved := range map[string]bool{
		"kube-system": true, "default": true, "kube-public": true, "kube-node-lease": true,
		"flink-operator": true, "karpenter": true, "argocd": true,
		"cert-manager": false, // switched off: not krm-flink's in this environment
		"flux-system":  false, // Flux is off
		"shop":         false,
	} {
		if got := ReservedNamespace(&p.Spec, "dev", ns) != ""; got != reserved {
			t.Errorf("%s: reserved = %v, want %v", ns, got, reserved)
		}
	}
}
