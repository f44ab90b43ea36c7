package flinkjob

import (
	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// blueGreen replaces the FlinkDeployment of every job with spec.blueGreen
// by a FlinkBlueGreenDeployment whose template.spec is that FlinkDeployment's
// spec, so the job chart shapes both alike. It runs after the Pod Security
// check, which reads FlinkDeployments.
func blueGreen(p *resolve.Plan, objs []*manifest.Object) []*manifest.Object {
	wanted := map[string]*api.BlueGreen{}
	for _, j := range p.Jobs {
		if j.Spec.BlueGreen != nil {
			wanted[j.Metadata.Namespace+"/"+j.Metadata.Name] = j.Spec.BlueGreen
		}
	}
	if len(wanted) == 0 {
		return objs
	}
	for i, o := range objs {
		bg := wanted[o.GetNamespace()+"/"+o.GetName()]
		if bg == nil || o.GetKind() != "FlinkDeployment" {
			continue
		}
		spec := map[string]any{"template": map[string]any{"spec": o.Object["spec"]}}
		if len(bg.Configuration) > 0 {
			spec["configuration"] = manifest.StringMap(bg.Configuration)
		}
		if bg.Ingress != nil {
			spec["ingress"] = ingressValues(bg.Ingress)
		}
		out := o.DeepCopy()
		out.SetKind("FlinkBlueGreenDeployment")
		out.Object["spec"] = spec
		objs[i] = &manifest.Object{Component: o.Component, Unstructured: out}
	}
	return objs
}
