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
	if s.Ingress != nil {
		vals["ingress"] = ingressValues(s.Ingress)
	}
	if len(s.LogConfiguration) > 0 {
		vals["logConfiguration"] = manifest.StringMap(s.LogConfiguration)
	}
}

// ingressValues is the operator's IngressSpec of an ingress (a job's, or a
// blue/green deployment's), each optional field only when set.
func ingressValues(in *api.Ingress) map[string]any {
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
	return ing
}

// runValues is the operator's spec.job (a JobSpec) of a job or session
// job: its jar and how it runs, the savepoint to start from and
// allowNonRestoredState, and the nonces (the spec.job fields of JobNonces),
// each optional field only when set.
func runValues(r *api.JobRun, restore *api.JobRestore, nonces map[string]any) map[string]any {
	job := map[string]any{
		"jarURI":      r.JarURI,
		"parallelism": int64(*r.Parallelism),
		"upgradeMode": r.UpgradeMode,
		"state":       r.State,
	}
	if r.EntryClass != "" {
		job["entryClass"] = r.EntryClass
	}
	if len(r.Args) > 0 {
		job["args"] = manifest.Strings(r.Args)
	}
	for k, v := range nonces {
		job[k] = v
	}
	if restore.InitialSavepointPath != "" {
		job["initialSavepointPath"] = restore.InitialSavepointPath
	}
	if restore.AllowNonRestoredState != nil {
		job["allowNonRestoredState"] = *restore.AllowNonRestoredState
	}
	return job
}
