package importer

import (
	"fmt"
	"io"
	"path"

	"sigs.k8s.io/yaml"

	"github.com/krm-flink/krm-flink/internal/output"
	"github.com/krm-flink/krm-flink/internal/planner"
)

// Plan classifies what applying the rendered FlinkDeployment over the
// original does to the running job, with the plan's rules
// (internal/planner): the original is what runs, the render what GitOps
// would apply. The original is compared as the operator reads it
// (Normalize), so fields it ignores or defaults do not count.
func Plan(original, rendered map[string]any) (planner.Change, error) {
	tree := func(obj map[string]any) (output.Tree, error) {
		n := Normalize(obj)
		n["apiVersion"], n["kind"] = flinkAPIVersion, KindDeployment
		data, err := yaml.Marshal(n)
		if err != nil {
			return nil, err
		}
		meta := metadata(n)
		ns, _ := meta["namespace"].(string)
		name, _ := meta["name"].(string)
		return output.Tree{path.Join("workloads", "jobs", ns, "flinkdeployment-"+name+".yaml"): data}, nil
	}
	base, err := tree(original)
	if err != nil {
		return planner.Change{}, err
	}
	head, err := tree(rendered)
	if err != nil {
		return planner.Change{}, err
	}
	env, err := planner.Compare("import", base, head)
	if err != nil {
		return planner.Change{}, err
	}
	if len(env.Changes) == 0 {
		meta := metadata(Normalize(original))
		ns, _ := meta["namespace"].(string)
		name, _ := meta["name"].(string)
		return planner.Change{Kind: KindDeployment, Namespace: ns, Name: name, Component: "jobs",
			Risk: planner.Safe, Actions: []string{"no change"}}, nil
	}
	return env.Changes[0], nil
}

// WriteCheck prints, per job, the risk of applying its rendered
// FlinkDeployment over the original, then every field that would change:
// "+" a platform addition, "~" a field the platform owns replaced, "!" a
// field lost (dropped, changed, or added by a platform default).
func WriteCheck(w io.Writer, r *Result) error {
	for _, j := range r.Jobs {
		c, err := Plan(j.Source.Data, j.Rendered)
		if err != nil {
			return fmt.Errorf("%s: %w", j.Source.where(), err)
		}
		fmt.Fprintf(w, "%s %s/%s (%s): %s: %s\n", KindDeployment, j.Spec.Metadata.Namespace, j.Spec.Metadata.Name,
			j.Path, c.Risk, joinActions(c.Actions))
		for _, d := range j.Differences {
			mark := "+"
			switch {
			case d.Lost():
				mark = "!"
			case d.Kind == Replaced:
				mark = "~"
			}
			fmt.Fprintf(w, "  %s %s: %s\n", mark, d.Path, d.Describe())
		}
	}
	return nil
}

func joinActions(as []string) string {
	out := ""
	for i, a := range as {
		if i > 0 {
			out += "; "
		}
		out += a
	}
	return out
}
