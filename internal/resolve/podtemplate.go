package resolve

import (
	"encoding/json"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// splitPodTemplates takes the pod templates out of a job's environment
// override: they merge over the job's with strategic-merge-patch semantics
// (containers, volumes and env by name), not as the JSON merge patch that
// merges the rest, which would replace every list.
func splitPodTemplates(override json.RawMessage) (json.RawMessage, bool) {
	var m map[string]any
	if json.Unmarshal(override, &m) != nil {
		return override, false
	}
	found := false
	if _, ok := m["podTemplate"]; ok {
		delete(m, "podTemplate")
		found = true
	}
	for _, role := range []string{"jobManager", "taskManager"} {
		if r, ok := m[role].(map[string]any); ok {
			if _, ok := r["podTemplate"]; ok {
				delete(r, "podTemplate")
				found = true
			}
		}
	}
	if !found {
		return override, false
	}
	out, err := json.Marshal(m)
	if err != nil {
		return override, false
	}
	return out, true
}

// mergeEnvPodTemplates merges the pod templates of an environment override
// (env, as strictly decoded) over the job's in fields.
func mergeEnvPodTemplates(fields, env *api.JobFields, src *input.Job, prefix string) problem.List {
	var probs problem.List
	merge := func(path string, job **api.PodTemplate, over *api.PodTemplate) {
		if over == nil {
			return
		}
		merged, err := api.MergePodTemplates(*job, over)
		if err != nil {
			probs = append(probs, problem.Errorf(src.File, src.Ref(), prefix+"."+path, "does not merge over the job's %s: %v", path, err))
			return
		}
		*job = merged
	}
	merge("podTemplate", &fields.PodTemplate, env.PodTemplate)
	if env.JobManager != nil && env.JobManager.PodTemplate != nil {
		if fields.JobManager == nil {
			fields.JobManager = &api.ProcessSpec{}
		}
		merge("jobManager.podTemplate", &fields.JobManager.PodTemplate, env.JobManager.PodTemplate)
	}
	if env.TaskManager != nil && env.TaskManager.PodTemplate != nil {
		if fields.TaskManager == nil {
			fields.TaskManager = &api.ProcessSpec{}
		}
		merge("taskManager.podTemplate", &fields.TaskManager.PodTemplate, env.TaskManager.PodTemplate)
	}
	return probs
}
