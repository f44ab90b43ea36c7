// Package rbac renders what every job namespace needs: the Namespace, the
// job ServiceAccounts, and the ClusterRole with the JobManager's rules bound
// to them (a RoleBinding per namespace by default, least privilege).
package rbac

import (
	"sort"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/fn/component"
	"github.com/krm-flink/krm-flink/fn/manifest"
	"github.com/krm-flink/krm-flink/fn/plan"
)

// Name is the component's name and output folder.
const Name = "rbac"

// Renderer renders the job namespaces and their RBAC.
type Renderer struct{}

var _ component.Renderer = Renderer{}

// Name implements component.Renderer.
func (Renderer) Name() string { return Name }

// JobRules are the JobManager's permissions, as the Flink operator documents
// them for its job role: it creates TaskManager pods, HA ConfigMaps and, in
// native mode, its own Deployment.
func JobRules() []any {
	return []any{
		map[string]any{"apiGroups": []any{""}, "resources": []any{"pods", "configmaps"}, "verbs": []any{"*"}},
		map[string]any{"apiGroups": []any{"apps"}, "resources": []any{"deployments", "deployments/finalizers"}, "verbs": []any{"*"}},
	}
}

// Render implements component.Renderer.
func (Renderer) Render(p *plan.Plan) ([]*manifest.Object, error) {
	if len(p.Jobs) == 0 {
		return nil, nil
	}
	cfg := p.Platform.Spec.RBAC
	accounts := map[string]map[string]bool{} // namespace -> service accounts
	for _, j := range p.Jobs {
		ns := j.Metadata.Namespace
		if accounts[ns] == nil {
			accounts[ns] = map[string]bool{}
		}
		accounts[ns][j.Spec.ServiceAccount] = true
	}
	namespaces := sortedKeys(accounts)
	out := []*manifest.Object{manifest.New(Name, map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1",
		"kind":       "ClusterRole",
		"metadata":   map[string]any{"name": cfg.ClusterRoleName},
		"rules":      JobRules(),
	})}
	for _, ns := range namespaces {
		sas := sortedKeys(accounts[ns])
		out = append(out, manifest.New(Name, map[string]any{
			"apiVersion": "v1",
			"kind":       "Namespace",
			"metadata":   map[string]any{"name": ns},
		}))
		subjects := make([]any, 0, len(sas))
		for _, sa := range sas {
			out = append(out, manifest.New(Name, map[string]any{
				"apiVersion": "v1",
				"kind":       "ServiceAccount",
				"metadata":   map[string]any{"name": sa, "namespace": ns},
			}))
			subjects = append(subjects, map[string]any{"kind": "ServiceAccount", "name": sa, "namespace": ns})
		}
		roleRef := map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cfg.ClusterRoleName}
		binding := map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "roleRef": roleRef, "subjects": subjects}
		if cfg.Mode == api.RBACClusterRoleBinding {
			binding["kind"] = "ClusterRoleBinding"
			binding["metadata"] = map[string]any{"name": cfg.ClusterRoleName + "-" + ns}
		} else {
			binding["kind"] = "RoleBinding"
			binding["metadata"] = map[string]any{"name": cfg.ClusterRoleName, "namespace": ns}
		}
		out = append(out, manifest.New(Name, binding))
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
