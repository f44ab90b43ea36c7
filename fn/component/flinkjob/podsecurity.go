package flinkjob

import (
	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/fn/plan"
	"github.com/krm-flink/krm-flink/fn/problem"
)

// PodSecurityWarnings warns about every job of the plan whose Flink pods
// opted out of the restricted Pod Security Standard, so an opt-out is never
// silent. It returns nil (an untyped nil error) when there is none, else a
// problem.List of warnings, which component.Renderer reports while keeping
// the objects.
func PodSecurityWarnings(p *plan.Plan) error {
	var warns problem.List
	for _, j := range p.Jobs {
		level := podSecurityLevel(&j.Spec.JobFields)
		if level == api.PodSecurityRestricted {
			continue
		}
		file, ref := "", problem.ObjectRef{APIVersion: j.APIVersion, Kind: j.Kind, Namespace: j.Metadata.Namespace, Name: j.Metadata.Name}
		if j.Source != nil {
			file, ref = j.Source.File, j.Source.Ref()
		}
		warns = append(warns, problem.Warningf(file, ref, "spec.podSecurity",
			"the job's Flink pods opt out of the restricted Pod Security Standard (%s): its namespace must admit %s pods; the FlinkDeployment is annotated %s=%s",
			level, level, api.PodSecurityAnnotation, level))
	}
	if len(warns) == 0 {
		return nil
	}
	return warns
}
