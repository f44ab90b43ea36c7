package resolve

import (
	"encoding/json"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// splitPodTemplates takes the pod templates out of an environment override
// (the object at under: the override itself for a job, "flink" for the
// platform): they merge over the templates before them with
// strategic-merge-patch semantics (containers, volumes and env by name), not
// as the JSON merge patch that merges the rest, which would replace every
// list. A null template stays in: the merge patch removes the template.
func splitPodTemplates(override json.RawMessage, under ...string) json.RawMessage {
	var root map[string]any
	if json.Unmarshal(override, &root) != nil {
		return override
	}
	m := root
	for _, key := range under {
		if m, _ = m[key].(map[string]any); m == nil {
			return override
		}
	}
	found := false
	take := func(m map[string]any) {
		if v, ok := m["podTemplate"]; ok && v != nil {
			delete(m, "podTemplate")
			found = true
		}
	}
	take(m)
	for _, role := range []string{"jobManager", "taskManager"} {
		if r, ok := m[role].(map[string]any); ok {
			take(r)
		}
	}
	if !found {
		return override
	}
	out, err := json.Marshal(root)
	if err != nil {
		return override
	}
	return out
}

// podTemplates points at the three pod templates of a job's fields or of
// the platform's flink defaults.
type podTemplates struct {
	shared                  **api.PodTemplate
	jobManager, taskManager **api.ProcessSpec
}

func jobPodTemplates(f *api.JobFields) podTemplates {
	return podTemplates{&f.PodTemplate, &f.JobManager, &f.TaskManager}
}

func platformPodTemplates(f *api.FlinkDefaults) podTemplates {
	return podTemplates{&f.PodTemplate, &f.JobManager, &f.TaskManager}
}

// mergeOverridePodTemplates merges the pod templates of an environment
// override (over, as strictly decoded) into dst. prefix is the override's
// path; what prefixes the path of the templates merged over in an error
// ("the job's ").
func mergeOverridePodTemplates(dst, over podTemplates, file string, ref problem.ObjectRef, prefix, what string) problem.List {
	var probs problem.List
	merge := func(path string, base **api.PodTemplate, t *api.PodTemplate) {
		if t == nil {
			return
		}
		merged, err := api.MergePodTemplates(*base, t)
		if err != nil {
			probs = append(probs, problem.Errorf(file, ref, prefix+"."+path, "does not merge over %s%s: %v", what, path, err))
			return
		}
		*base = merged
	}
	merge("podTemplate", dst.shared, *over.shared)
	for _, r := range []struct {
		name     string
		dst, src **api.ProcessSpec
	}{{"jobManager", dst.jobManager, over.jobManager}, {"taskManager", dst.taskManager, over.taskManager}} {
		if *r.src == nil || (*r.src).PodTemplate == nil {
			continue
		}
		if *r.dst == nil {
			*r.dst = &api.ProcessSpec{}
		}
		merge(r.name+".podTemplate", &(*r.dst).PodTemplate, (*r.src).PodTemplate)
	}
	return probs
}
