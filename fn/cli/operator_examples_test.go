package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/manifest"
)

// TestOperatorExamples renders the operator's session, session-job,
// snapshot and blue/green examples written as krm-flink input and requires
// every object to come back with the examples' specs (upstream-specs.yaml)
// plus only additions of the platform's.
func TestOperatorExamples(t *testing.T) {
	dir := filepath.Join(repoRoot, "testdata", "render", "operator-examples")
	out := t.TempDir()
	if code, _, stderr := run(t, "render", "-f", filepath.Join(dir, "input"), "--all-envs", "-o", out); code != 0 {
		t.Fatalf("render: exit %d\n%s", code, stderr)
	}
	rendered := map[string]*manifest.Object{}
	err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || d.Name() == "kustomization.yaml" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		objs, err := manifest.ParseYAML("rendered", data)
		for _, o := range objs {
			rendered[o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName()] = o
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "upstream-specs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := manifest.ParseYAML("upstream", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 8 {
		t.Fatalf("upstream-specs.yaml holds %d objects, want 8", len(want))
	}
	for _, w := range want {
		id := w.GetKind() + "/" + w.GetNamespace() + "/" + w.GetName()
		t.Run(id, func(t *testing.T) {
			got, ok := rendered[id]
			if !ok {
				t.Fatalf("not rendered")
			}
			if got.GetAPIVersion() != w.GetAPIVersion() {
				t.Errorf("apiVersion %s, want %s", got.GetAPIVersion(), w.GetAPIVersion())
			}
			for _, diff := range subsetDiffs("spec", w.Object["spec"], got.Object["spec"]) {
				t.Error(diff)
			}
		})
	}
}

// subsetDiffs lists where got does not hold want: every map key of want
// with an equal value (numbers compared as numbers), lists element by element.
func subsetDiffs(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %v, want a map", path, got)}
		}
		var out []string
		for k, v := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing, want %v", path, k, v))
				continue
			}
			out = append(out, subsetDiffs(path+"."+k, v, gv)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
		}
		var out []string
		for i := range w {
			out = append(out, subsetDiffs(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	}
	if fmt.Sprint(want) == fmt.Sprint(got) && reflect.TypeOf(want).Kind() == reflect.TypeOf(got).Kind() || isNumber(want) && isNumber(got) && fmt.Sprint(want) == fmt.Sprint(got) {
		return nil
	}
	return []string{fmt.Sprintf("%s: got %v (%T), want %v (%T)", path, got, got, want, want)}
}

func isNumber(v any) bool {
	switch v.(type) {
	case int, int32, int64, float64:
		return true
	}
	return false
}
