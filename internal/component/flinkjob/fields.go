package flinkjob

import (
	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/manifest"
)

// addDeploymentFields adds the FlinkDeployment spec fields a job sets
// beside its sizing and job: mode, restartNonce, ingress and
// logConfiguration, each only when set, so a chart renders no empty field.
func addDeploymentFields(vals map[string]any, s *api.JobFields) {
	if s.Mode != "" {
		vals["mode"] = s.Mode
	}
	if s.RestartNonce != nil {
		vals["restartNonce"] = *s.RestartNonce
	}
	if in := s.Ingress; in != nil {
		ing := map[string]any{"template": in.Template}
		if in.ClassName != "" {
			ing["className"] = in.ClassName
		}
		if len(in.Annotations) > 0 {
			ing["annotations"] = manifest.StringMap(in.Annotations)
		}
		if len(in.Labels) > 0 {
			ing["labels"] = manifest.StringMap(in.Labels)
		}
		if len(in.TLS) > 0 {
			tls := make([]any, len(in.TLS))
			for i, t := range in.TLS {
				entry := map[string]any{}
				if len(t.Hosts) > 0 {
					entry["hosts"] = manifest.Strings(t.Hosts)
				}
				if t.SecretName != "" {
					entry["secretName"] = t.SecretName
				}
				tls[i] = entry
			}
			ing["tls"] = tls
		}
		vals["ingress"] = ing
	}
	if len(s.LogConfiguration) > 0 {
		vals["logConfiguration"] = manifest.StringMap(s.LogConfiguration)
	}
}

// addJobFields adds the spec.job fields a job sets: the nonces that trigger
// savepoints, checkpoints, redeploys and autoscaler resets, the savepoint
// to start from and allowNonRestoredState.
func addJobFields(job map[string]any, s *api.JobFields) {
	for k, v := range s.JobNonces() {
		job[k] = v
	}
	if s.InitialSavepointPath != "" {
		job["initialSavepointPath"] = s.InitialSavepointPath
	}
	if s.AllowNonRestoredState != nil {
		job["allowNonRestoredState"] = *s.AllowNonRestoredState
	}
}
