package flinkjob

import (
	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// sessionJobs renders one FlinkSessionJob per session job. It runs on its
// session cluster's pods (and so its NodePool, RBAC and Datadog
// annotations): the session job itself has no pod template to carry any.
func sessionJobs(p *resolve.Plan) []*manifest.Object {
	out := make([]*manifest.Object, 0, len(p.SessionJobs))
	for _, j := range p.SessionJobs {
		out = append(out, SessionJob(p, j))
	}
	return out
}

// SessionJob renders the FlinkSessionJob of one session job.
func SessionJob(p *resolve.Plan, j *resolve.SessionJob) *manifest.Object {
	s := &j.Spec.SessionJobFields
	job := runValues(&s.JobRun, &s.JobRestore, s.JobNonces())
	spec := map[string]any{"deploymentName": s.Session, "job": job}
	if s.RestartNonce != nil {
		spec["restartNonce"] = *s.RestartNonce
	}
	if len(s.FlinkConfiguration) > 0 {
		spec["flinkConfiguration"] = manifest.StringMap(s.FlinkConfiguration)
	}
	meta := map[string]any{
		"name":      j.Metadata.Name,
		"namespace": j.Metadata.Namespace,
		"labels":    sessionJobLabels(p, j),
	}
	if ann := api.PassedOnAnnotations(j.Metadata.Annotations); len(ann) > 0 {
		meta["annotations"] = manifest.StringMap(ann)
	}
	return manifest.New(Name, map[string]any{
		"apiVersion": "flink.apache.org/v1beta1",
		"kind":       "FlinkSessionJob",
		"metadata":   meta,
		"spec":       spec,
	})
}

// sessionJobLabels are a session job's metadata.labels, then the
// recommended labels as Labels gives a job's, and krm-flink.io/session
// naming its session cluster.
func sessionJobLabels(p *resolve.Plan, j *resolve.SessionJob) map[string]any {
	out := recommendedLabels(p, j.Metadata, j.Spec.Owner)
	out["krm-flink.io/session"] = j.Spec.Session
	return out
}
