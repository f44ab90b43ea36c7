package resolve

import (
	"encoding/json"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"

	"github.com/krm-flink/krm-flink/internal/problem"
)

// mergeEnvironment merges a job's override for environment env (its
// spec.environments.<env>) over base, the job's fields, as a JSON merge
// patch (RFC 7386), for jobs and session jobs alike. The override is
// decoded strictly on its own first, into probe, so a field it misspells
// is reported where it is written; overridden are its top-level keys.
// patchOf, when set, is the part of the override merged as a patch (the
// caller merges the rest from probe). fields is nil when there is no
// override.
func mergeEnvironment[T any](base *T, override json.RawMessage, file string, ref problem.ObjectRef, env string, patchOf func(json.RawMessage) json.RawMessage) (fields, probe *T, overridden map[string]bool, probs problem.List) {
	overridden = map[string]bool{}
	if len(override) == 0 || string(override) == "null" {
		return nil, nil, overridden, nil
	}
	prefix := "spec.environments." + env
	probe = new(T)
	if probs := strictInto(override, probe, file, ref, prefix); len(probs) > 0 {
		return nil, nil, overridden, probs
	}
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(override, &keys)
	for k := range keys {
		overridden[k] = true
	}
	if patchOf != nil {
		override = patchOf(override)
	}
	data, err := json.Marshal(base)
	if err != nil {
		return nil, nil, overridden, problem.List{problem.Errorf(file, ref, prefix, "internal error: %v", err)}
	}
	merged, err := jsonpatch.MergePatch(data, override)
	if err != nil {
		return nil, nil, overridden, problem.List{problem.Errorf(file, ref, prefix, "cannot merge: %v", err)}
	}
	fields = new(T)
	if probs := strictInto(merged, fields, file, ref, prefix); len(probs) > 0 {
		return nil, nil, overridden, probs
	}
	return fields, probe, overridden, nil
}
