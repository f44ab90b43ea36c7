package importer

import (
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/output"
	"github.com/krm-flink/krm-flink/internal/planner"
)

// Plan classifies what applying the rendered object over the original (of
// the same kind) does to the running job, with the plan's rules
// (internal/planner): the original is what runs, the render what GitOps
// would apply. The original is compared as the operator reads it
// (Normalize), so fields it ignores or defaults do not count.
func Plan(original, rendered map[string]any) (planner.Change, error) {
	kind := kindOf(original)
	tree := func(obj map[string]any) (output.Tree, error) {
		n := Normalize(obj)
		n["apiVersion"], n["kind"] = flinkAPIVersion, kind
		data, err := manifest.Encode(n)
		if err != nil {
			return nil, err
		}
		meta := metadata(n)
		ns, _ := meta["namespace"].(string)
		name, _ := meta["name"].(string)
		return output.Tree{path.Join("workloads", "jobs", ns, strings.ToLower(kind)+"-"+name+".yaml"): data}, nil
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
		return planner.Change{Kind: kind, Namespace: ns, Name: name, Component: "jobs",
			Risk: planner.Safe, Actions: []string{"no change"}}, nil
	}
	return env.Changes[0], nil
}

// WriteCheck prints, per imported object (each job, then its snapshots;
// then each object kept as it is),
// the risk of applying its rendered object over the original, then every
// field that would change: "+" a platform addition, "~" a field the
// platform owns replaced, "!" a field lost (dropped, changed, or added by
// a platform default).
func WriteCheck(w io.Writer, r *Result) error {
	for _, j := range r.Jobs {
		if err := writeCheck(w, j.Source, j.Rendered, j.Differences, j.Path); err != nil {
			return err
		}
		for _, s := range j.Snapshots {
			if err := writeCheck(w, s.Source, s.Rendered, s.Differences, j.Path); err != nil {
				return err
			}
		}
	}
	for _, k := range r.Kept {
		if err := writeCheck(w, k.Source, k.Rendered, k.Differences, k.Path); err != nil {
			return err
		}
	}
	return nil
}

// writeCheck prints one object's risk and differences; file is the spec
// it was imported into.
func writeCheck(w io.Writer, src *Object, rendered map[string]any, ds []Difference, file string) error {
	c, err := Plan(src.Data, rendered)
	if err != nil {
		return fmt.Errorf("%s: %w", src.where(), err)
	}
	fmt.Fprintf(w, "%s %s/%s (%s): %s: %s\n", src.Kind(), src.Namespace(), src.Name(),
		file, c.Risk, joinActions(c.Actions))
	for _, d := range ds {
		mark := "+"
		switch {
		case d.Lost():
			mark = "!"
		case d.Kind == Replaced:
			mark = "~"
		}
		fmt.Fprintf(w, "  %s %s: %s\n", mark, d.Path, d.Describe())
	}
	return nil
}

// AnyLost tells whether a field of any imported object would be lost:
// a job's, one of its snapshots' or a kept object's.
func (r *Result) AnyLost() bool {
	for _, j := range r.Jobs {
		if len(Lost(j.Differences)) > 0 {
			return true
		}
		for _, s := range j.Snapshots {
			if len(Lost(s.Differences)) > 0 {
				return true
			}
		}
	}
	for _, k := range r.Kept {
		if len(Lost(k.Differences)) > 0 {
			return true
		}
	}
	return false
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
