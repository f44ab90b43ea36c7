package resolve

import (
	"fmt"

	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// inClusterServer is Argo CD's name for the cluster it runs in: every Argo
// CD has one, so two environments naming it are on the same cluster only
// when they also share clusterName and region.
const inClusterServer = "https://kubernetes.default.svc"

// CheckClusters reports environments that resolve to the same cluster: the
// same clusterName and region once their overrides are merged, or the same
// Argo CD destination server. krm-flink renders the same cluster-scoped
// objects (CRDs, the job ClusterRole, the operator's webhooks) and the same
// namespaced components for each environment, with different specs, and
// two Applications or Kustomizations would overwrite each other's.
// Environments whose overrides do not resolve are left to their render.
func CheckClusters(src *input.Platform) problem.List {
	var probs problem.List
	byCluster := map[string]string{}
	byServer := map[string]string{}
	for i, env := range src.Spec.Environments {
		p, ps := mergePlatform(src, &src.Spec.Environments[i], i)
		if ps.HasErrors() {
			continue
		}
		prefix := fmt.Sprintf("spec.environments[%d].overrides", i)
		cluster := p.Spec.ClusterName + "/" + p.Spec.Region
		if other, ok := byCluster[cluster]; ok {
			probs = append(probs, problem.Errorf(src.File, src.Ref(), prefix+".clusterName",
				"environments %s and %s both deploy to cluster %s in %s (spec.clusterName and spec.region after overrides): they would render the same cluster-wide objects with different specs and overwrite each other; krm-flink renders one environment per cluster: set each environment's own clusterName (and region) in spec.environments[].overrides",
				other, env.Name, p.Spec.ClusterName, p.Spec.Region))
		} else {
			byCluster[cluster] = env.Name
		}
		if a := p.Spec.GitOps.ArgoCD; a != nil && a.Enabled && a.Server != inClusterServer {
			if other, ok := byServer[a.Server]; ok {
				probs = append(probs, problem.Errorf(src.File, src.Ref(), prefix+".gitops.argocd.server",
					"environments %s and %s both deploy to the Argo CD destination %s: their Applications would overwrite each other's objects; set spec.environments[].overrides.gitops.argocd.server to each environment's own cluster",
					other, env.Name, a.Server))
			} else {
				byServer[a.Server] = env.Name
			}
		}
	}
	return probs
}
