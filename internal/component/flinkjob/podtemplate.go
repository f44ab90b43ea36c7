package flinkjob

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// ownPodTemplate is what krm-flink adds to a job's shared pod template,
// from the job's chart values: the job's labels, the Karpenter, Reloader and
// Datadog annotations, the NodePool node selector and toleration, the
// security contexts of the job's Pod Security level and the metrics port
// of the main container. It is plain JSON data (numbers are float64), like
// a user template read by api.PodTemplateMap.
func ownPodTemplate(v map[string]any) map[string]any {
	annotations := map[string]any{}
	sched := v["scheduling"].(map[string]any)
	for k, val := range sched["podAnnotations"].(map[string]any) {
		annotations[k] = val
	}
	if cm, _ := v["reloader"].(map[string]any)["configMap"].(string); cm != "" {
		annotations["configmap.reloader.stakater.com/reload"] = cm
	}
	port := v["metrics"].(map[string]any)["port"].(int64)
	if dd := v["datadog"].(map[string]any); dd["enabled"].(bool) {
		for k, val := range datadogAnnotations(dd, port) {
			annotations[k] = val
		}
	}
	sc := v["securityContext"].(map[string]any)
	main := map[string]any{
		"name":  MainContainer,
		"ports": []any{map[string]any{"name": "metrics", "containerPort": port, "protocol": "TCP"}},
	}
	if c := sc["container"].(map[string]any); len(c) > 0 {
		main["securityContext"] = c
	}
	spec := map[string]any{"containers": []any{main}}
	if pod := sc["pod"].(map[string]any); len(pod) > 0 {
		spec["securityContext"] = pod
	}
	if ns := sched["nodeSelector"].(map[string]any); len(ns) > 0 {
		spec["nodeSelector"] = ns
	}
	if t := sched["tolerations"].([]any); len(t) > 0 {
		spec["tolerations"] = t
	}
	meta := map[string]any{"labels": v["labels"]}
	if len(annotations) > 0 {
		meta["annotations"] = annotations
	}
	// Only spec holds numbers and typed lists; metadata is strings already.
	return map[string]any{"metadata": meta, "spec": plainJSON(spec)}
}

// datadogAnnotations are the autodiscovery annotations of one OpenMetrics
// check instance on the main container, in the format the platform chose
// (docs/job-chart.md).
func datadogAnnotations(dd map[string]any, port int64) map[string]string {
	c := dd["container"].(string)
	instance := map[string]any{
		"openmetrics_endpoint": fmt.Sprintf("http://%%%%host%%%%:%d/metrics", port),
		"namespace":            dd["namespace"],
		"metrics":              dd["metrics"],
	}
	out := map[string]string{"ad.datadoghq.com/tags": mustJSON(dd["tags"])}
	if dd["format"] == api.DatadogFormatV2 {
		out["ad.datadoghq.com/"+c+".checks"] = mustJSON(map[string]any{"openmetrics": map[string]any{"init_config": map[string]any{}, "instances": []any{instance}}})
	} else {
		out["ad.datadoghq.com/"+c+".check_names"] = mustJSON([]any{"openmetrics"})
		out["ad.datadoghq.com/"+c+".init_configs"] = mustJSON([]any{map[string]any{}})
		out["ad.datadoghq.com/"+c+".instances"] = mustJSON([]any{instance})
	}
	if dd["tolerateUnready"].(bool) {
		out["ad.datadoghq.com/tolerate-unready"] = "true"
	}
	return out
}

// mustJSON encodes plain data as Helm's toJson does (encoding/json).
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("flinkjob: encoding plain data: %v", err))
	}
	return string(b)
}

// plainJSON normalizes data to what json.Unmarshal gives (float64 numbers,
// []any, map[string]any), so it compares with a decoded template.
func plainJSON(v map[string]any) map[string]any {
	var out map[string]any
	if err := json.Unmarshal([]byte(mustJSON(v)), &out); err != nil {
		panic(fmt.Sprintf("flinkjob: decoding plain data: %v", err))
	}
	return out
}

// yielding are krm-flink's values a template may replace: the restricted
// standard needs a non-root user, not this one (the official Flink image's
// uid and gid, 9999).
var yielding = map[string]bool{
	"spec.securityContext.runAsUser":  true,
	"spec.securityContext.runAsGroup": true,
	"spec.securityContext.fsGroup":    true,
}

// clash is a value of a template that differs from the one krm-flink adds
// at the same place.
type clash struct {
	path        string // in the template, e.g. spec.nodeSelector[krm-flink.io/nodepool]
	theirs, own any
}

// overlay adds own into dst, the way krm-flink's additions merge last into
// a template: objects key by key, containers by name, the metrics port
// matched by name or number, tolerations by key, lists of strings as the
// union. It never replaces a value of dst: a different value (except the
// yielding ones) is a clash. added lists what dst did not have.
func overlay(dst, own map[string]any, path string) (clashes []clash, added []string) {
	for _, k := range slices.Sorted(maps.Keys(own)) {
		ov := own[k]
		p := joinPath(path, k)
		dv, has := dst[k]
		if !has {
			dst[k] = deepCopy(ov)
			added = append(added, p)
			continue
		}
		switch o := ov.(type) {
		case map[string]any:
			dm, ok := dv.(map[string]any)
			if !ok {
				clashes = append(clashes, clash{p, dv, ov})
				continue
			}
			c, a := overlay(dm, o, p)
			clashes, added = append(clashes, c...), append(added, a...)
		case []any:
			dl, ok := dv.([]any)
			if !ok {
				clashes = append(clashes, clash{p, dv, ov})
				continue
			}
			var c []clash
			var a []string
			dst[k], c, a = overlayList(k, dl, o, p)
			clashes, added = append(clashes, c...), append(added, a...)
		default:
			if !reflect.DeepEqual(dv, ov) && !yielding[p] {
				clashes = append(clashes, clash{p, dv, ov})
			}
		}
	}
	return clashes, added
}

func overlayList(key string, dst, own []any, path string) ([]any, []clash, []string) {
	var clashes []clash
	var added []string
	for _, item := range own {
		om, isMap := item.(map[string]any)
		if !isMap {
			if !containsValue(dst, item) {
				dst = append(dst, item)
				added = append(added, fmt.Sprintf("%s[%d]", path, len(dst)-1))
			}
			continue
		}
		i := matching(key, dst, om)
		if i < 0 {
			dst = append(dst, deepCopy(om))
			added = append(added, fmt.Sprintf("%s[%d]", path, len(dst)-1))
			continue
		}
		p := fmt.Sprintf("%s[%d]", path, i)
		dm := dst[i].(map[string]any)
		switch key {
		case "tolerations":
			if !reflect.DeepEqual(dm, om) {
				clashes = append(clashes, clash{p, dm, om})
			}
		default:
			c, a := overlay(dm, om, p)
			clashes, added = append(clashes, c...), append(added, a...)
		}
	}
	return dst, clashes, added
}

// matching finds the item of l that own's item merges with, -1 if none.
func matching(key string, l []any, own map[string]any) int {
	for i, item := range l {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		switch key {
		case "ports":
			if m["name"] == own["name"] || m["containerPort"] == own["containerPort"] {
				return i
			}
		case "tolerations":
			if m["key"] == own["key"] {
				return i
			}
		default:
			if m["name"] == own["name"] {
				return i
			}
		}
	}
	return -1
}

func containsValue(l []any, v any) bool {
	for _, x := range l {
		if reflect.DeepEqual(x, v) {
			return true
		}
	}
	return false
}

// templateSlots are the three pod templates of a job or of the platform's
// Flink defaults, with their paths below spec (or spec.flink).
var templateSlots = []string{"podTemplate", "jobManager.podTemplate", "taskManager.podTemplate"}

func slotTemplate(s *api.JobFields, slot string) *api.PodTemplate {
	switch slot {
	case "podTemplate":
		return s.PodTemplate
	case "jobManager.podTemplate":
		if s.JobManager != nil {
			return s.JobManager.PodTemplate
		}
	case "taskManager.podTemplate":
		if s.TaskManager != nil {
			return s.TaskManager.PodTemplate
		}
	}
	return nil
}

// templateSource is one place a job's pod templates come from.
type templateSource struct {
	file   string
	ref    problem.ObjectRef
	prefix string // the spec field that holds the slots
	fields *api.JobFields
}

// templateSources are the platform's defaults, the job as written and its
// override for the environment, in merge order.
func templateSources(p *resolve.Plan, j *resolve.Job) []templateSource {
	var out []templateSource
	f := &p.Platform.Spec.Flink
	platform := templateSource{prefix: "spec.flink", fields: &api.JobFields{PodTemplate: f.PodTemplate, JobManager: f.JobManager, TaskManager: f.TaskManager}}
	if p.Source != nil {
		platform.file, platform.ref = p.Source.File, p.Source.Ref()
	}
	out = append(out, platform)
	if j.Source == nil {
		return out
	}
	out = append(out, templateSource{file: j.Source.File, ref: j.Source.Ref(), prefix: "spec", fields: &j.Source.Spec.JobFields})
	if raw := j.Source.Spec.Environments[p.Env.Name]; len(raw) > 0 {
		env := &api.JobFields{}
		if json.Unmarshal(raw, env) == nil {
			out = append(out, templateSource{file: j.Source.File, ref: j.Source.Ref(), prefix: "spec.environments." + p.Env.Name, fields: env})
		}
	}
	return out
}

// podTemplateProblems reports every place a job's pod templates disagree
// with what krm-flink adds: in the platform's defaults, the job or its
// environment override (each template on its own, so the problem names
// the field as written), and in the pods the operator builds by merging a
// role's template over the shared one, which must still hold every
// addition.
func podTemplateProblems(p *resolve.Plan, j *resolve.Job, v map[string]any) problem.List {
	own := ownPodTemplate(v)
	var probs problem.List
	for _, src := range templateSources(p, j) {
		for _, slot := range templateSlots {
			t, err := api.PodTemplateMap(slotTemplate(src.fields, slot))
			if t == nil || err != nil {
				continue
			}
			clashes, _ := overlay(deepCopyMap(t), own, "")
			for _, c := range clashes {
				probs = append(probs, problem.Errorf(src.file, src.ref, src.prefix+"."+slot+"."+c.path,
					"is %s, but krm-flink sets %s here for job %s/%s (%s); a pod template may add to krm-flink's settings, not change them: leave this out",
					mustJSON(c.theirs), mustJSON(c.own), j.Metadata.Namespace, j.Metadata.Name, why(c.path)))
			}
		}
	}
	if len(probs) > 0 {
		return probs
	}
	shared := v["podTemplate"].(map[string]any)
	byName := mergesByName(stringMap(v["flinkConfiguration"]), p.Platform.Spec.Components.FlinkOperator.FlinkConfiguration)
	file, ref := jobSource(j)
	for _, role := range []string{"jobManager", "taskManager"} {
		roleTemplate, _ := v[role].(map[string]any)["podTemplate"].(map[string]any)
		if roleTemplate == nil {
			continue
		}
		effective, merged := operatorMerge(shared, roleTemplate, byName)
		for _, m := range merged {
			probs = append(probs, problem.Errorf(file, ref, fmt.Sprintf("spec.%s.podTemplate.%s[%d]", role, m.path, m.index), "%s", renamedMessage(role, m)))
		}
		if len(merged) > 0 {
			continue
		}
		clashes, added := overlay(effective, own, "")
		lost := added
		for _, c := range clashes {
			lost = append(lost, c.path)
		}
		for _, path := range lost {
			mode := "by list position (the operator's default; " + MergeArraysByNameKey + ": \"true\" merges by name)"
			if byName {
				mode = "by name where every list item has one, else by position"
			}
			probs = append(probs, problem.Errorf(file, ref, "spec."+role+".podTemplate",
				"the operator merges this template over spec.podTemplate %s, and the %s pods would lose what krm-flink sets at %s (%s); give the lists the items of spec.podTemplate in the same order, or leave the list out",
				mode, role, path, why(path)))
		}
	}
	return probs
}

// why says what krm-flink's value at a template path is for.
func why(path string) string {
	switch {
	case strings.HasPrefix(path, "metadata.labels"):
		return "the job's labels, from its metadata.labels and krm-flink's recommended labels"
	case strings.HasPrefix(path, "metadata.annotations[ad.datadoghq.com"):
		return "Datadog autodiscovery, spec.metrics.datadog"
	case strings.HasPrefix(path, "metadata.annotations[configmap.reloader"):
		return "the stakater Reloader annotation"
	case strings.HasPrefix(path, "metadata.annotations[karpenter.sh"):
		return "the job's nodes.doNotDisrupt"
	case strings.HasPrefix(path, "spec.nodeSelector"), strings.HasPrefix(path, "spec.tolerations"):
		return "pinning the pods to the job's own Karpenter NodePool"
	case strings.Contains(path, "securityContext"):
		return "the job's Pod Security Standard level; opt out with spec.podSecurity"
	case strings.Contains(path, "ports"):
		return "the Prometheus reporter port Datadog scrapes, spec.metrics.port"
	}
	return "the " + MainContainer + " Flink runs in"
}

func stringMap(v any) map[string]string {
	out := map[string]string{}
	if m, ok := v.(map[string]any); ok {
		for k, val := range m {
			if s, ok := val.(string); ok {
				out[k] = s
			}
		}
	}
	return out
}
