// Package security holds the tests of krm-flink's secure defaults: the RBAC
// rules it renders, the Pod Security Standard of the Flink pods, that no
// secret reaches an overlay, that names never collide, and that a killed
// render loses no work.
package security

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/render"
)

var repoRoot = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}()

// inputs are the platforms the security tests render: the example platform
// and every golden render case.
func inputs(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{"examples/platform": filepath.Join(repoRoot, "examples", "platform")}
	cases, err := os.ReadDir(filepath.Join(repoRoot, "testdata", "render"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if c.IsDir() {
			out["testdata/render/"+c.Name()] = filepath.Join(repoRoot, "testdata", "render", c.Name(), "input")
		}
	}
	return out
}

// loadSet reads a folder of input files the way `krm-flink render -f` does.
func loadSet(t testing.TB, dir string) *input.Set {
	t.Helper()
	var docs []*input.Document
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "Chart.yaml")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		switch d.Name() {
		case "kustomization.yaml", "kustomization.yml", "Kptfile", "charts.lock.yaml":
			return nil
		}
		if ext := filepath.Ext(p); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		ds, probs := input.SplitDocuments(p, data)
		if probs.HasErrors() {
			t.Fatalf("%s: %v", p, probs)
		}
		docs = append(docs, ds...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	set, probs := input.Collect(docs, input.Options{})
	if probs.HasErrors() {
		t.Fatalf("%s: %v", dir, probs)
	}
	return set
}

// renderSet renders every environment of a set, by environment.
func renderSet(t testing.TB, set *input.Set) (map[string][]*manifest.Object, problem.List) {
	t.Helper()
	r, err := render.New(set)
	if err != nil {
		t.Fatalf("%v", err)
	}
	out := map[string][]*manifest.Object{}
	var warnings problem.List
	for _, env := range r.Environments() {
		res, err := r.Render(env)
		if err != nil {
			t.Fatalf("environment %s: %v", env, err)
		}
		out[env] = res.Objects
		warnings = append(warnings, res.Warnings...)
	}
	return out, warnings
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
