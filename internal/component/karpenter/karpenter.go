// Package karpenter renders the Karpenter controller chart: the cluster's
// name and interruption queue in settings, the controller's IRSA role, and
// the NodePool CRDs of the API version the platform's NodePools use (a
// chart whose major version serves another NodePool API is an error).
package karpenter

import (
	"fmt"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/component/helmcomponent"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Name is the component's name and output folder.
const Name = api.ComponentKarpenter

// RoleArnAnnotation is the IRSA annotation of a ServiceAccount.
const RoleArnAnnotation = helmcomponent.RoleArnAnnotation

// New returns the Karpenter component; it loads its chart through charts.
func New(charts helmcomponent.Charts) *helmcomponent.Chart {
	return &helmcomponent.Chart{
		Charts:    charts,
		Component: Name,
		Config:    func(p *resolve.Plan) *api.Component { return &p.Platform.Spec.Components.Karpenter.Component },
		Values:    func(p *resolve.Plan, _ *source.Loaded) map[string]any { return Values(p) },
		Check: func(p *resolve.Plan, loaded *source.Loaded, _ map[string]any) problem.List {
			if probs := checkAPIVersion(p, loaded); probs != nil {
				return probs
			}
			return checkRequirementOperators(p, loaded)
		},
	}
}

// checkAPIVersion refuses a chart whose Karpenter does not serve the
// NodePool API version the platform renders.
func checkAPIVersion(p *resolve.Plan, loaded *source.Loaded) problem.List {
	nodes := &p.Platform.Spec.Nodes.Karpenter
	if !*nodes.Enabled {
		return nil
	}
	msg := api.KarpenterMismatch(loaded.Version(), nodes.APIVersion)
	if msg == "" {
		return nil
	}
	return chartProblem(p, loaded, msg)
}

// checkRequirementOperators refuses a chart whose Karpenter predates the
// requirement operators Gte and Lte when a NodePool uses them: jobs are
// validated against the pinned version, but a local chart or a --chart
// override may bring an older release.
func checkRequirementOperators(p *resolve.Plan, loaded *source.Loaded) problem.List {
	v := loaded.Version()
	if !*p.Platform.Spec.Nodes.Karpenter.Enabled || api.KarpenterAtLeast(v, api.InclusiveOperatorsKarpenterVersion) {
		return nil
	}
	var uses []string
	for _, j := range p.Jobs {
		for i, r := range j.Spec.Nodes.Requirements {
			if api.InclusiveOperator(r.Operator) {
				uses = append(uses, fmt.Sprintf("%s/%s spec.nodes.requirements[%d] (%s)", j.Metadata.Namespace, j.Metadata.Name, i, r.Operator))
			}
		}
	}
	if len(uses) == 0 {
		return nil
	}
	return chartProblem(p, loaded, fmt.Sprintf("Karpenter %s predates the NodePool requirement operators Gte and Lte (Karpenter %s has them), which these jobs use: %s; bring Karpenter %s or later, or write them as Gt and Lt",
		v, api.InclusiveOperatorsKarpenterVersion, strings.Join(uses, ", "), api.InclusiveOperatorsKarpenterVersion))
}

// chartProblem is a problem with the loaded chart, at the field that chose it.
func chartProblem(p *resolve.Plan, loaded *source.Loaded, msg string) problem.List {
	field := helmcomponent.Field(Name) + ".version"
	switch {
	case loaded.Override:
		field = "--chart " + Name
	case p.Platform.Spec.Components.Karpenter.Chart != nil:
		field = helmcomponent.Field(Name) + ".chart"
	}
	file, ref := helmcomponent.PlatformRef(p)
	return problem.List{problem.Errorf(file, ref, field, "chart %s from %s: %s", loaded.Chart.Metadata.Name, loaded.Source, msg)}
}

// Values are the chart values krm-flink derives for one environment.
func Values(p *resolve.Plan) map[string]any {
	ps := &p.Platform.Spec
	cfg := &ps.Components.Karpenter
	settings := map[string]any{"clusterName": ps.ClusterName}
	if cfg.InterruptionQueue != "" {
		settings["interruptionQueue"] = cfg.InterruptionQueue
	}
	vals := map[string]any{"settings": settings}
	if cfg.RoleArn != "" {
		vals["serviceAccount"] = map[string]any{"annotations": map[string]any{RoleArnAnnotation: cfg.RoleArn}}
	}
	return vals
}
