package render

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/krm-flink/krm-flink/internal/flinkcrd"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// checkOperatorFields checks every rendered Flink operator object against
// the CRD of the operator release the environment pins: a field or enum
// value that release lacks is an error naming the release that has it.
// Whichever component or chart rendered the object, the problem is
// reported at the job it belongs to (same namespace, and its name or
// app.kubernetes.io/instance label), at the input field it came from when
// the job or the platform's spec.flink sets it, otherwise at the platform.
func checkOperatorFields(p *resolve.Plan, objs []*manifest.Object) problem.List {
	pinned := resolve.OperatorVersion(&p.Platform.Spec)
	release, ok := flinkcrd.ParseRelease(pinned)
	if !ok {
		return nil // not a single release: the component's own checks say so
	}
	jobs := map[string]*resolve.Job{}
	for _, j := range p.Jobs {
		jobs[j.Metadata.Namespace+"/"+j.Metadata.Name] = j
	}
	var platformSpec map[string]any
	var probs problem.List
	seen := map[string]bool{}
	for _, o := range objs {
		if o.GroupVersionKind().Group != flinkcrd.Group {
			continue
		}
		findings := flinkcrd.Check(o.GetKind(), release, o.Object)
		if len(findings) == 0 {
			continue
		}
		j := jobs[o.GetNamespace()+"/"+o.GetName()]
		if j == nil {
			j = jobs[o.GetNamespace()+"/"+o.GetLabels()["app.kubernetes.io/instance"]]
		}
		if platformSpec == nil {
			platformSpec = specOf(p.Source.FlinkPlatform)
		}
		for _, f := range findings {
			pr := operatorFieldProblem(p, j, o, f, pinned, platformSpec)
			if k := pr.String(); !seen[k] {
				seen[k] = true
				probs = append(probs, pr)
			}
		}
	}
	return probs
}

func operatorFieldProblem(p *resolve.Plan, j *resolve.Job, o *manifest.Object, f flinkcrd.Finding, pinned string, platformSpec map[string]any) problem.Problem {
	msg := f.Describe(o.GetKind(), pinned)
	rendered := fmt.Sprintf("%s %s/%s", o.GetKind(), o.GetNamespace(), o.GetName())
	if j != nil && j.Source != nil {
		spec := specOf(j.Source.FlinkJobSpec)
		for _, rest := range inputCandidates(f.Path) {
			if has(spec, rest, f.Value) {
				return problem.Errorf(j.Source.File, j.Source.Ref(), flinkcrd.FormatPath(append([]string{"spec"}, rest...)), "%s", msg)
			}
			envPath := []string{"environments", p.Env.Name}
			if has(spec, append(envPath, rest...), f.Value) {
				return problem.Errorf(j.Source.File, j.Source.Ref(), flinkcrd.FormatPath(append(append([]string{"spec"}, envPath...), rest...)), "%s", msg)
			}
		}
		for _, rest := range inputCandidates(f.Path) {
			if has(platformSpec, append([]string{"flink"}, rest...), f.Value) {
				return problem.Errorf(p.Source.File, p.Source.Ref(), flinkcrd.FormatPath(append([]string{"spec", "flink"}, rest...)), "%s", msg)
			}
		}
		return problem.Errorf(j.Source.File, j.Source.Ref(), "", "rendered %s: %s", rendered, msg)
	}
	return problem.Errorf(p.Source.File, p.Source.Ref(), "spec.components.flink-operator.version", "rendered %s: %s", rendered, msg)
}

// inputCandidates are the input paths (under spec) a rendered path may come
// from, most specific first: spec.job.savepointRedeployNonce may be written
// job.savepointRedeployNonce or savepointRedeployNonce, a
// FlinkBlueGreenDeployment's spec.template.spec.mode as mode.
func inputCandidates(rendered []string) [][]string {
	if len(rendered) < 2 || rendered[0] != "spec" {
		return nil
	}
	var out [][]string
	for i := 1; i < len(rendered); i++ {
		if strings.HasPrefix(rendered[i], "[") {
			continue // a path does not start at a list item
		}
		out = append(out, rendered[i:])
	}
	return out
}

// has tells whether a decoded JSON value holds path (field names and
// "[i]" list indexes), with value when value is set.
func has(v any, path []string, value string) bool {
	for _, seg := range path {
		switch t := v.(type) {
		case map[string]any:
			next, ok := t[seg]
			if !ok {
				return false
			}
			v = next
		case []any:
			var i int
			if _, err := fmt.Sscanf(seg, "[%d]", &i); err != nil || i < 0 || i >= len(t) {
				return false
			}
			v = t[i]
		default:
			return false
		}
	}
	return v != nil && (value == "" || fmt.Sprint(v) == value)
}

// specOf is an input object's spec as plain JSON data.
func specOf(obj any) map[string]any {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil
	}
	var out struct {
		Spec map[string]any `json:"spec"`
	}
	_ = json.Unmarshal(data, &out)
	return out.Spec
}
