// Package rbac renders what every job namespace needs: the Namespace, the
// job ServiceAccounts, and the ClusterRole with the JobManager's rules bound
// to them (a RoleBinding per namespace by default, least privilege).
package rbac

import (
	"fmt"
	"maps"
	"slices"

	"k8s.io/apimachinery/pkg/util/version"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/resolve"
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
func (Renderer) Render(p *resolve.Plan) ([]*manifest.Object, error) {
	if len(p.Jobs) == 0 {
		return nil, nil
	}
	cfg := p.Platform.Spec.RBAC
	accounts, probs := identities(p.Jobs)
	if len(probs) > 0 {
		return nil, probs
	}
	podSecurity := map[string]int{} // namespace -> loosest level of its jobs
	for _, j := range p.Jobs {
		ns := j.Metadata.Namespace
		podSecurity[ns] = max(podSecurity[ns], levelIndex(j.Spec.PodSecurity))
	}
	policyVersion := podSecurityVersion(p.Platform.Spec.KubernetesVersion)
	namespaces := slices.Sorted(maps.Keys(accounts))
	out := []*manifest.Object{manifest.New(Name, map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1",
		"kind":       "ClusterRole",
		"metadata":   map[string]any{"name": cfg.ClusterRoleName},
		"rules":      JobRules(),
	})}
	for _, ns := range namespaces {
		sas := slices.Sorted(maps.Keys(accounts[ns]))
		out = append(out, manifest.New(Name, map[string]any{
			"apiVersion": "v1",
			"kind":       "Namespace",
			"metadata": map[string]any{
				"name":   ns,
				"labels": podSecurityLabels(api.PodSecurityLevels[podSecurity[ns]], policyVersion),
			},
		}))
		subjects := make([]any, 0, len(sas))
		for _, sa := range sas {
			meta := map[string]any{"name": sa, "namespace": ns}
			if role := accounts[ns][sa].role; role != "" {
				meta["annotations"] = map[string]any{api.IRSARoleAnnotation: role}
			}
			out = append(out, manifest.New(Name, map[string]any{
				"apiVersion": "v1",
				"kind":       "ServiceAccount",
				"metadata":   meta,
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

// Pod Security Admission's namespace labels.
const (
	PodSecurityEnforceLabel = "pod-security.kubernetes.io/enforce"
	podSecurityLabelPrefix  = "pod-security.kubernetes.io/"
)

// podSecurityLabels make the namespace enforce the loosest level its jobs
// are rendered for (restricted unless a job explicitly opted out), and warn
// and audit at restricted so an opt-out stays visible. The policy version is
// pinned to the platform's Kubernetes minor, so a cluster upgrade does not
// change what is admitted before the platform says so.
func podSecurityLabels(enforce, version string) map[string]any {
	labels := map[string]any{}
	for mode, level := range map[string]string{"enforce": enforce, "warn": api.PodSecurityRestricted, "audit": api.PodSecurityRestricted} {
		labels[podSecurityLabelPrefix+mode] = level
		labels[podSecurityLabelPrefix+mode+"-version"] = version
	}
	return labels
}

// levelIndex orders Pod Security levels from strictest (0, restricted, also
// for an unset level) to loosest.
func levelIndex(level string) int {
	for i, l := range api.PodSecurityLevels {
		if l == level {
			return i
		}
	}
	return 0
}

// podSecurityVersion is the policy version of a Kubernetes version:
// "v<major>.<minor>", or latest when the version does not parse (the
// platform's validation reports that).
func podSecurityVersion(kubeVersion string) string {
	v, err := version.ParseGeneric(kubeVersion)
	if err != nil {
		return "latest"
	}
	return fmt.Sprintf("v%d.%d", v.Major(), v.Minor())
}
