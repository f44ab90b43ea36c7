// Package gitops gives rendered objects what GitOps consumers need to apply
// them in an order that works: a layer each (crds, prerequisites,
// infrastructure, workloads) that becomes its own kustomization for Flux,
// Argo CD sync waves and sync options on every object, and, when asked, the
// Flux Kustomizations and Argo CD Application that deploy an environment.
package gitops

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/manifest"
)

// Layers in apply order. Each needs the ones before it:
//   - crds: every CustomResourceDefinition, so custom resources can be created;
//   - prerequisites: cert-manager, whose webhook must serve before the
//     operator's Certificate and Issuer are created;
//   - infrastructure: the operator, Karpenter, Fluent Bit, job namespaces and RBAC;
//   - workloads: EC2NodeClass, NodePools, FlinkDeployments (session clusters
//     included), FlinkBlueGreenDeployments and FlinkSessionJobs, which need
//     the Karpenter and operator controllers (and their webhooks) running;
//   - snapshots: FlinkStateSnapshots, which the operator's webhook admits
//     only once the job they reference exists.
const (
	LayerCRDs           = "crds"
	LayerPrerequisites  = "prerequisites"
	LayerInfrastructure = "infrastructure"
	LayerWorkloads      = "workloads"
	LayerSnapshots      = "snapshots"
)

// Layers lists the layers in apply order.
var Layers = []string{LayerCRDs, LayerPrerequisites, LayerInfrastructure, LayerWorkloads, LayerSnapshots}

// Argo CD annotations.
const (
	SyncWaveAnnotation    = "argocd.argoproj.io/sync-wave"
	SyncOptionsAnnotation = "argocd.argoproj.io/sync-options"
)

// FluxForceAnnotation makes Flux delete and recreate an object whose
// immutable fields changed, instead of failing the apply.
const FluxForceAnnotation = "kustomize.toolkit.fluxcd.io/force"

// FluxPruneAnnotation set to "disabled" keeps Flux from deleting an object
// when it leaves the source or its Kustomization is deleted.
const FluxPruneAnnotation = "kustomize.toolkit.fluxcd.io/prune"

// jobNamespaceComponent renders the job Namespaces.
const jobNamespaceComponent = "rbac"

// prerequisiteComponents are installed before everything but CRDs.
var prerequisiteComponents = map[string]bool{"cert-manager": true}

// workloadComponents render what runs on the platform rather than the platform.
var workloadComponents = map[string]bool{"jobs": true, "nodepools": true}

// snapshotComponent renders the FlinkStateSnapshots.
const snapshotComponent = "snapshots"

// flinkGroup is the Flink operator's API group.
const flinkGroup = "flink.apache.org"

// LayerOf returns the layer an object is applied in.
func LayerOf(o *manifest.Object) string {
	switch {
	case o.GetKind() == "CustomResourceDefinition":
		return LayerCRDs
	case prerequisiteComponents[o.Component]:
		return LayerPrerequisites
	case workloadComponents[o.Component]:
		return LayerWorkloads
	case o.Component == snapshotComponent:
		return LayerSnapshots
	case o.Component == input.ExtraComponent && o.GroupVersionKind().Group == flinkGroup:
		// The user's own Flink objects go where krm-flink's of their kind
		// go: they need the operator's webhook, a snapshot its job.
		if o.GetKind() == "FlinkStateSnapshot" {
			return LayerSnapshots
		}
		return LayerWorkloads
	}
	return LayerInfrastructure
}

// wave orders objects for Argo CD, which applies one wave after the one
// before it is healthy: the layers in order, and within the workloads the
// NodePools before the FlinkDeployments that schedule onto them, session
// clusters before the session jobs submitted to them, and snapshots last,
// once their jobs exist.
func wave(o *manifest.Object) int {
	switch LayerOf(o) {
	case LayerSnapshots:
		return 3
	case LayerCRDs:
		return -3
	case LayerPrerequisites:
		return -2
	case LayerInfrastructure:
		return -1
	}
	switch o.GetKind() {
	case "FlinkDeployment", "FlinkBlueGreenDeployment":
		return 1
	case "FlinkSessionJob":
		return 2
	}
	return 0
}

// Annotate sets the Argo CD sync wave on every object and the sync options
// some need: ServerSideApply for CustomResourceDefinitions (client-side
// apply would store each as a last-applied annotation, up to 168 KB for
// the operator's, growing every release toward the 262,144-byte limit),
// SkipDryRunOnMissingResource for custom resources
// whose CRD is created in the same sync, and Prune=false,Delete=false (with
// Flux's prune: disabled) on what a sync must never delete (see keep). Sync
// options a chart set are kept beside krm-flink's. It returns the objects,
// in place.
func Annotate(objs []*manifest.Object) []*manifest.Object {
	defined := map[string]bool{}
	for _, o := range objs {
		if o.GetKind() != "CustomResourceDefinition" {
			continue
		}
		group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
		defined[group+"/"+kind] = true
	}
	for _, o := range objs {
		ann := o.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		ann[SyncWaveAnnotation] = strconv.Itoa(wave(o))
		opts := splitOptions(ann[SyncOptionsAnnotation])
		if o.GetKind() == "CustomResourceDefinition" {
			opts = append(opts, "ServerSideApply=true")
		}
		if keep(o) {
			// These win over a chart's Prune= or Delete= (true, confirm).
			opts = slices.DeleteFunc(opts, func(s string) bool {
				return strings.HasPrefix(s, "Prune=") || strings.HasPrefix(s, "Delete=")
			})
			opts = append(opts, "Prune=false", "Delete=false")
			ann[FluxPruneAnnotation] = "disabled"
		}
		if defined[o.GroupVersionKind().Group+"/"+o.GetKind()] {
			opts = append(opts, "SkipDryRunOnMissingResource=true")
		}
		if isJob(o) {
			// A Job's pod template is immutable: a chart upgrade that
			// changes it (an image tag, a version label) fails every apply
			// unless the tool recreates the Job.
			opts = append(opts, "Force=true", "Replace=true")
			ann[FluxForceAnnotation] = "enabled"
		}
		if opts = uniqueSorted(opts); len(opts) > 0 {
			ann[SyncOptionsAnnotation] = strings.Join(opts, ",")
		}
		o.SetAnnotations(ann)
	}
	return objs
}

// keep tells whether a sync must never delete o, neither when it leaves Git
// nor when the Application or Kustomization is deleted: a CRD (deleting it
// deletes every custom resource of its kind, every FlinkDeployment without
// a savepoint) and a job Namespace (it holds the team's own Secrets and
// ConfigMaps besides the job). docs/gitops.md says how to delete them on
// purpose.
func keep(o *manifest.Object) bool {
	switch {
	case o.GetKind() == "CustomResourceDefinition" && o.GroupVersionKind().Group == "apiextensions.k8s.io":
		return true
	case o.GetKind() == "Namespace" && o.GetAPIVersion() == "v1":
		return o.Component == jobNamespaceComponent
	}
	return false
}

// splitOptions reads an argocd.argoproj.io/sync-options value: options
// separated by commas, spaces around them trimmed (as Argo CD reads it).
func splitOptions(v string) []string {
	var out []string
	for _, o := range strings.Split(v, ",") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

func uniqueSorted(opts []string) []string {
	sort.Strings(opts)
	out := opts[:0]
	for i, o := range opts {
		if i == 0 || o != opts[i-1] {
			out = append(out, o)
		}
	}
	return out
}

func isJob(o *manifest.Object) bool {
	return o.GetKind() == "Job" && o.GroupVersionKind().Group == "batch"
}
