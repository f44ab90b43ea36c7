package resolve

import (
	"fmt"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
)

// systemNamespaces hold Kubernetes' own objects. A job namespace is
// labelled Pod Security restricted (which would block the system pods
// already there) and its ServiceAccounts may write Deployments in it, so no
// job may run in one.
var systemNamespaces = map[string]bool{"kube-system": true, "default": true, "kube-public": true, "kube-node-lease": true}

// ReservedNamespace says why no job may run in ns in environment env whose
// platform is p, or "" when one may: Kubernetes' system namespaces, the
// namespaces krm-flink installs its enabled components into, and those of
// the GitOps objects it renders, as configured for that environment.
func ReservedNamespace(p *api.PlatformSpec, env, ns string) string {
	if systemNamespaces[ns] {
		return "it holds Kubernetes' own objects"
	}
	for _, nc := range p.Components.Each() {
		if *nc.Enabled && nc.Namespace == ns {
			return fmt.Sprintf("in environment %s, spec.components.%s is installed there", env, nc.Name)
		}
	}
	if f := p.GitOps.Flux; f != nil && f.Enabled && f.Namespace == ns {
		return fmt.Sprintf("in environment %s, the Flux Kustomizations live there (spec.gitops.flux.namespace)", env)
	}
	if a := p.GitOps.ArgoCD; a != nil && a.Enabled && a.Namespace == ns {
		return fmt.Sprintf("in environment %s, the Argo CD Application lives there (spec.gitops.argocd.namespace)", env)
	}
	return ""
}
