// Package karpenter renders the Karpenter controller chart: the cluster's
// name and interruption queue in settings, the controller's IRSA role, and
// the NodePool CRDs of the API version the platform's NodePools use (a
// chart whose major version serves another NodePool API is an error).
package karpenter

import (
	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/fn/component"
	"github.com/krm-flink/krm-flink/fn/component/helmcomponent"
	"github.com/krm-flink/krm-flink/fn/manifest"
	"github.com/krm-flink/krm-flink/fn/plan"
	"github.com/krm-flink/krm-flink/fn/problem"
)

// Name is the component's name and output folder.
const Name = api.ComponentKarpenter

// RoleArnAnnotation is the IRSA annotation of a ServiceAccount.
const RoleArnAnnotation = "eks.amazonaws.com/role-arn"

// Renderer renders the Karpenter chart.
type Renderer struct {
	charts helmcomponent.Charts
}

var _ component.Renderer = (*Renderer)(nil)

// New returns a renderer that loads its chart through charts.
func New(charts helmcomponent.Charts) *Renderer { return &Renderer{charts: charts} }

// Name implements component.Renderer.
func (*Renderer) Name() string { return Name }

// Render implements component.Renderer.
func (r *Renderer) Render(p *plan.Plan) ([]*manifest.Object, error) {
	cfg := &p.Platform.Spec.Components.Karpenter
	if !*cfg.Enabled {
		return nil, nil
	}
	loaded, warns, err := helmcomponent.Load(r.charts, p, Name, &cfg.Component)
	if err != nil {
		return nil, err
	}
	if nodes := &p.Platform.Spec.Nodes.Karpenter; *nodes.Enabled {
		if msg := api.KarpenterMismatch(loaded.Version(), nodes.APIVersion); msg != "" {
			field := helmcomponent.Field(Name) + ".version"
			switch {
			case loaded.Override:
				field = "--chart " + Name
			case cfg.Chart != nil:
				field = helmcomponent.Field(Name) + ".chart"
			}
			file, ref := "", problem.ObjectRef{}
			if p.Source != nil {
				file, ref = p.Source.File, p.Source.Ref()
			}
			return nil, helmcomponent.WithWarnings(problem.List{problem.Errorf(file, ref, field, "chart %s from %s: %s", loaded.Chart.Metadata.Name, loaded.Source, msg)}, warns)
		}
	}
	vals := helmcomponent.Merge(Values(p), cfg.Values)
	objs, err := helmcomponent.Render(p, helmcomponent.Spec{Name: Name, Config: &cfg.Component, Chart: loaded, Values: vals})
	return objs, helmcomponent.WithWarnings(err, warns)
}

// Values are the chart values krm-flink derives for one environment.
func Values(p *plan.Plan) map[string]any {
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
