// Package componenttest builds plans for component tests: a platform and
// jobs from YAML (or the example platform), resolved for one environment,
// an offline chart resolver with its own cache, and golden files.
package componenttest

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

// RepoRoot is the repository's root folder.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Platform is a small valid platform with every component on; tests patch it.
const Platform = `apiVersion: krm-flink.io/v1alpha1
kind: FlinkPlatform
metadata:
  name: test
spec:
  clusterName: c1
  region: eu-west-1
  environments:
    - name: dev
    - name: prod
      overrides:
        clusterName: c1-prod
        region: us-east-1
  flink:
    image: flink:1.18
    flinkVersion: v1_18
    jobManager:
      resource: {cpu: 1, memory: 2048m}
    taskManager:
      resource: {cpu: 1, memory: 2048m}
  nodes:
    karpenter:
      nodeClass:
        role: KarpenterNodeRole-c1
`

// Job returns a valid job in a namespace.
func Job(namespace, name string) string {
	return `apiVersion: krm-flink.io/v1alpha1
kind: FlinkJobSpec
metadata:
  name: ` + name + `
  namespace: ` + namespace + `
spec:
  owner: team
  jarURI: local:///opt/flink/usrlib/job.jar
`
}

// Set decodes YAML documents (a platform and jobs) into an input set, as
// files in/doca.yaml, in/docb.yaml... in order.
func Set(t testing.TB, docs ...string) *input.Set {
	t.Helper()
	files := make(map[string]string, len(docs))
	for i, d := range docs {
		files[filepath.Join("in", "doc"+string(rune('a'+i))+".yaml")] = d
	}
	return testutil.Set(t, files)
}

// Example is the example platform's input set.
func Example(t testing.TB) *input.Set {
	t.Helper()
	root := filepath.Join(RepoRoot(), "examples", "platform")
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") && d.Name() != "kustomization.yaml" {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var all []*input.Document
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(RepoRoot(), f)
		ds, probs := input.SplitDocuments(rel, data)
		if probs.HasErrors() {
			t.Fatal(probs)
		}
		all = append(all, ds...)
	}
	set, probs := input.Collect(all, input.Options{IgnoreOtherKinds: true})
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	return set
}

// Plan resolves one environment of a set; problems fail the test.
func Plan(t testing.TB, set *input.Set, env string) *resolve.Plan {
	t.Helper()
	if probs := resolve.CheckPlatform(set.Platform); probs.HasErrors() {
		t.Fatal(probs)
	}
	p, probs := resolve.Resolve(set, env)
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	return p
}

// Resolver is an offline chart resolver with an empty cache of its own.
func Resolver(t testing.TB) *source.Resolver {
	t.Helper()
	r, err := source.New(source.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Render runs a component for a plan and separates its outcome into
// objects, warnings and errors (a problem.List holding only warnings is not
// a failure). An internal error fails the test.
func Render(t testing.TB, r component.Renderer, p *resolve.Plan) ([]*manifest.Object, problem.List, problem.List) {
	t.Helper()
	objs, err := r.Render(p)
	if err == nil {
		return objs, nil, nil
	}
	probs, ok := err.(problem.List)
	if !ok {
		t.Fatalf("internal error: %v", err)
	}
	var errs problem.List
	for _, p := range probs {
		if p.Severity != problem.Warning {
			errs = append(errs, p)
		}
	}
	if len(errs) > 0 {
		return nil, probs.Warnings(), errs
	}
	return objs, probs.Warnings(), nil
}

// Find returns the object of a kind and name (and namespace, if given).
func Find(objs []*manifest.Object, kind, namespace, name string) *manifest.Object {
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name && (namespace == "" || o.GetNamespace() == namespace) {
			return o
		}
	}
	return nil
}

// YAML renders objects sorted by kind, namespace and name, as one stream.
func YAML(t testing.TB, objs []*manifest.Object) string {
	t.Helper()
	sorted := append([]*manifest.Object(nil), objs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].ID() < sorted[j].ID() })
	var b strings.Builder
	for _, o := range sorted {
		data, err := sigsyaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(data)
	}
	return b.String()
}

// Golden compares got with the file, or rewrites it with -update.
func Golden(t testing.TB, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); rerun with -update if intended:\n%s", path, diff)
	}
}

// GoldenExample renders the example platform's environments with a
// component made by newRenderer and compares each with
// testdata/<env>.yaml (-update rewrites them).
func GoldenExample(t *testing.T, newRenderer func(*source.Resolver) component.Renderer) {
	t.Helper()
	set := Example(t)
	r := newRenderer(Resolver(t))
	for _, env := range []string{"prod", "staging"} {
		objs, _, errs := Render(t, r, Plan(t, set, env))
		if errs != nil {
			t.Fatal(errs)
		}
		Golden(t, filepath.Join("testdata", env+".yaml"), YAML(t, objs))
	}
}
