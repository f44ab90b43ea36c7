package gitops

import (
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/krm-flink/krm-flink/internal/manifest"
)

// Components (output folders) of the objects that deploy an environment.
// They sit beside the layers, not in them: they are applied to the GitOps
// tool's own namespace, once, to bootstrap.
const (
	FluxComponent = "flux"
	ArgoComponent = "argocd"
)

// Flux says how the Flux Kustomizations reach the committed overlays.
type Flux struct {
	// Namespace of the Kustomization objects (flux-system).
	Namespace string
	// SourceKind and SourceName name the GitRepository (or OCIRepository)
	// that holds the overlays.
	SourceKind, SourceName string
	// Path is the overlays folder within that source, e.g. ./overlays.
	Path string
	// Interval between reconciliations, e.g. 10m.
	Interval string
	// Prefix starts every Kustomization name, e.g. flink.
	Prefix string
}

// FluxKustomizations returns one Flux Kustomization per non-empty layer of
// env, each depending on the one before, with wait on so a layer is ready
// before the next is applied.
func FluxKustomizations(env string, layers []string, f Flux) []*manifest.Object {
	var out []*manifest.Object
	prev := ""
	for _, layer := range layers {
		name := f.Prefix + "-" + env + "-" + layer
		spec := map[string]any{
			"interval":  f.Interval,
			"path":      fluxPath(f.Path, env, layer),
			"prune":     true,
			"wait":      true,
			"timeout":   "10m",
			"sourceRef": map[string]any{"kind": f.SourceKind, "name": f.SourceName},
		}
		if prev != "" {
			spec["dependsOn"] = []any{map[string]any{"name": prev}}
		}
		out = append(out, manifest.New(FluxComponent, map[string]any{
			"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
			"kind":       "Kustomization",
			"metadata":   map[string]any{"name": name, "namespace": f.Namespace},
			"spec":       spec,
		}))
		prev = name
	}
	return out
}

// fluxPath joins like path.Join but keeps a leading "./", the way Flux
// documents paths within a source.
func fluxPath(root string, elem ...string) string {
	p := path.Join(append([]string{root}, elem...)...)
	if strings.HasPrefix(root, "./") {
		return "./" + p
	}
	return p
}

// Argo says how the Argo CD Application reaches the committed overlays.
type Argo struct {
	Namespace, Project      string
	RepoURL, TargetRevision string
	// Path is the overlays folder within the repository, e.g. overlays.
	Path string
	// Server is the destination cluster's API server URL.
	Server string
	// Prefix starts the Application name, e.g. flink.
	Prefix string
	// Automated turns on automated sync with pruning and self-heal.
	Automated bool
}

// ArgoApplication returns the Application that deploys env, with the sync
// options and ignoreDifferences the rendered objects need.
func ArgoApplication(env string, a Argo, objs []*manifest.Object) *manifest.Object {
	syncPolicy := map[string]any{
		// Large CRDs: no last-applied annotation, nowhere near its limit.
		"syncOptions": []any{"ServerSideApply=true", "RespectIgnoreDifferences=true"},
	}
	if a.Automated {
		syncPolicy["automated"] = map[string]any{"prune": true, "selfHeal": true}
	}
	spec := map[string]any{
		"project": a.Project,
		"source": map[string]any{
			"repoURL":        a.RepoURL,
			"targetRevision": a.TargetRevision,
			"path":           path.Join(a.Path, env),
		},
		"destination": map[string]any{"server": a.Server},
		"syncPolicy":  syncPolicy,
	}
	if ignore := IgnoreDifferences(objs); len(ignore) > 0 {
		spec["ignoreDifferences"] = ignore
	}
	return manifest.New(ArgoComponent, map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "Application",
		"metadata": map[string]any{
			"name":       a.Prefix + "-" + env,
			"namespace":  a.Namespace,
			"finalizers": []any{"resources-finalizer.argocd.argoproj.io"},
		},
		"spec": spec,
	})
}

// Fields of rendered objects that change after a sync without anyone
// editing Git; Argo CD's jqPathExpressions for them.
const (
	// The caBundle of webhooks, which cert-manager's CA injector (the
	// operator's and cert-manager's own webhooks) or the serving controller
	// (Karpenter's) fills in.
	webhookCABundle = ".webhooks[]?.clientConfig.caBundle"
	// The caBundle of a CRD's conversion webhook, injected the same way.
	conversionCABundle = ".spec.conversion.webhook.clientConfig.caBundle"
	// A printer column's priority 0: the API server omits a zero priority,
	// so the live CRD never has the field the chart wrote (the Flink
	// operator's CRDs write it on every column).
	zeroPrinterColumnPriority = ".spec.versions[]?.additionalPrinterColumns[]? | select(.priority == 0) | .priority"
)

// IgnoreDifferences lists the fields another controller or the API server
// writes after a sync, which Argo CD would otherwise report as drift
// forever, for the kinds among objs. (FlinkDeployment
// spec.taskManager.replicas, the scale subresource an HPA writes, needs no
// entry: krm-flink leaves it out unless the job sets replicas, and a field
// absent from Git is not diffed.)
func IgnoreDifferences(objs []*manifest.Object) []any {
	kinds := map[string]bool{}
	conversion := false
	for _, o := range objs {
		kinds[o.GroupVersionKind().Group+"/"+o.GetKind()] = true
		if o.GetKind() == "CustomResourceDefinition" {
			if s, _, _ := unstructured.NestedString(o.Object, "spec", "conversion", "strategy"); s == "Webhook" {
				conversion = true
			}
		}
	}
	var out []any
	add := func(group, kind string, jq ...string) {
		if !kinds[group+"/"+kind] {
			return
		}
		exprs := make([]any, len(jq))
		for i, e := range jq {
			exprs[i] = e
		}
		out = append(out, map[string]any{"group": group, "kind": kind, "jqPathExpressions": exprs})
	}
	add("admissionregistration.k8s.io", "MutatingWebhookConfiguration", webhookCABundle)
	add("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", webhookCABundle)
	crd := []string{zeroPrinterColumnPriority}
	if conversion {
		crd = append(crd, conversionCABundle)
	}
	add("apiextensions.k8s.io", "CustomResourceDefinition", crd...)
	return out
}
