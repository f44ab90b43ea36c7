package chart

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"

	"github.com/krm-flink/krm-flink/catalog"
	"github.com/krm-flink/krm-flink/internal/manifest"
)

// helmValuesError is the error Render gave before it compiled schemas once:
// Helm's own ToRenderValues, schema check included.
func helmValuesError(c *Chart, values map[string]any, opts Options) error {
	caps, err := capabilities(opts)
	if err != nil {
		return err
	}
	release := chartutil.ReleaseOptions{Name: opts.ReleaseName, Namespace: opts.Namespace, Revision: 1, IsInstall: true}
	if _, err := chartutil.ToRenderValues(c, values, release, caps); err != nil {
		return fmt.Errorf("chart %s: values: %w", c.Name(), err)
	}
	return nil
}

func jobValues() map[string]any {
	proc := map[string]any{"resource": map[string]any{"memory": "2048m", "cpu": 1.0}}
	return map[string]any{
		"name": "wordcount", "image": "flink:1.18", "flinkVersion": "v1_18", "serviceAccount": "flink",
		"jobManager": proc, "taskManager": proc,
		"job":                map[string]any{"jarURI": "local:///x.jar", "parallelism": int64(2), "upgradeMode": "stateless", "state": "running"},
		"metrics":            map[string]any{"port": int64(9249)},
		"datadog":            map[string]any{"enabled": false},
		"environment":        map[string]any{"name": "production", "shortName": "prod"},
		"securityContext":    map[string]any{"pod": map[string]any{}, "container": map[string]any{}},
		"flinkConfiguration": map[string]any{"taskmanager.numberOfTaskSlots": "2"},
		"repo":               "github.com/example/wordcount",
	}
}

// TestSchemaValidationMatchesHelm checks that values are accepted and
// rejected as Helm does, with Helm's message, for the built-in job chart
// and for a platform's own job chart with a schema of its own, and again
// once the schemas are compiled.
func TestSchemaValidationMatchesHelm(t *testing.T) {
	builtin, err := LoadFS(catalog.Charts, catalog.JobChart)
	if err != nil {
		t.Fatal(err)
	}
	// The platform's own chart of testdata/render/custom-job-chart, with a schema.
	dir := t.TempDir()
	src := filepath.Join("..", "..", "testdata", "render", "custom-job-chart", "input", "chart")
	for _, f := range []string{"Chart.yaml", "templates/deployment.yaml"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	schema := `{"type": "object", "required": ["name", "owner"], "properties": {
		"name": {"type": "string", "maxLength": 20},
		"owner": {"type": "string", "pattern": "^team-"},
		"job": {"type": "object", "properties": {"parallelism": {"type": "integer", "minimum": 1}}}}}`
	if err := os.WriteFile(filepath.Join(dir, "values.schema.json"), []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	custom, err := LoadPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	good := jobValues()
	good["owner"] = "team-data"
	cases := map[string]func(map[string]any){
		"valid":              func(map[string]any) {},
		"name too long":      func(v map[string]any) { v["name"] = strings.Repeat("x", 50) },
		"name not a string":  func(v map[string]any) { v["name"] = int64(3) },
		"missing image":      func(v map[string]any) { delete(v, "image") },
		"owner pattern":      func(v map[string]any) { v["owner"] = "data" },
		"missing owner":      func(v map[string]any) { delete(v, "owner") },
		"parallelism 0":      func(v map[string]any) { v["job"].(map[string]any)["parallelism"] = int64(0) },
		"parallelism string": func(v map[string]any) { v["job"].(map[string]any)["parallelism"] = "2" },
		"several problems": func(v map[string]any) {
			v["name"] = "Bad_Name" + strings.Repeat("x", 50)
			delete(v, "owner")
			v["job"].(map[string]any)["parallelism"] = -1.5
		},
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	opts := Options{ReleaseName: "wordcount", Namespace: "demo", KubeVersion: "v1.29.0"}
	for _, c := range []*Chart{builtin, custom} {
		rejected := 0
		for round := 0; round < 2; round++ { // the second round uses the compiled schema
			for _, name := range names {
				vals := copyValues(good)
				cases[name](vals)
				want := helmValuesError(c, copyValues(vals), opts)
				_, got := Render(c, vals, opts)
				switch {
				case want == nil && got != nil:
					t.Errorf("%s, %s: Render failed: %v", c.Name(), name, got)
				case want != nil && (got == nil || lines(got.Error()) != lines(want.Error())):
					t.Errorf("%s, %s: Render error\n%v\nwant Helm's\n%v", c.Name(), name, got, want)
				case want != nil && round == 0:
					rejected++
				}
			}
		}
		if rejected < 4 {
			t.Errorf("%s: only %d bad values rejected", c.Name(), rejected)
		}
	}
}

// lines sorts the lines of a message: the validator reports several
// problems in the values map's (random) order, Helm too.
func lines(s string) string {
	l := strings.Split(s, "\n")
	sort.Strings(l)
	return strings.Join(l, "\n")
}

func copyValues(v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for k, x := range v {
		if m, ok := x.(map[string]any); ok {
			x = copyValues(m)
		}
		out[k] = x
	}
	return out
}

// helmSort is how Render split documents before: releaseutil.SortManifests.
func helmSort(t *testing.T, files map[string]string) (*Result, error) {
	t.Helper()
	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	for _, m := range manifests {
		res.Manifests = append(res.Manifests, Document{Source: m.Name, Content: m.Content})
	}
	for _, h := range hooks {
		events := make([]string, 0, len(h.Events))
		for _, e := range h.Events {
			events = append(events, string(e))
		}
		sort.Strings(events)
		res.Hooks = append(res.Hooks, Hook{Document: Document{Source: h.Path, Content: h.Manifest}, Events: events})
	}
	return res, nil
}

// comparable drops what only the new split has (the decoded documents)
// and sorts as Render does.
func comparable(r *Result) *Result {
	out := &Result{}
	for _, d := range r.Manifests {
		out.Manifests = append(out.Manifests, Document{Source: d.Source, Content: d.Content})
	}
	for _, h := range r.Hooks {
		out.Hooks = append(out.Hooks, Hook{Document: Document{Source: h.Source, Content: h.Content}, Events: h.Events})
	}
	sortDocuments(out.Manifests)
	sort.SliceStable(out.Hooks, func(i, j int) bool { return less(out.Hooks[i].Document, out.Hooks[j].Document) })
	return out
}

// TestSortManifestsMatchesHelm splits rendered templates both ways: the
// same manifests, hooks, events and errors, and objects equal to what
// ParseYAML makes of each document.
func TestSortManifestsMatchesHelm(t *testing.T) {
	cases := []map[string]string{
		{"c/templates/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"},
		{"c/templates/multi.yaml": "---\napiVersion: v1\nkind: A\nmetadata: {name: a}\n---\n\n---\napiVersion: v1\nkind: B\nmetadata: {name: b}\n--- # x\nkind: C\n"},
		{"c/templates/odd.yaml": "a: 1\n---b: 2\n----\nc: 3\n  ---  \nd: 4"},
		{"c/templates/_helpers.tpl": "kind: Ignored", "c/templates/empty.yaml": " \n\n", "c/templates/NOTES.yaml": "kind: X\n"},
		{"c/templates/hooks.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: pre
  annotations:
    helm.sh/hook: pre-install,Post-Upgrade
    helm.sh/hook-weight: "5"
---
apiVersion: v1
kind: Pod
metadata:
  name: test
  annotations:
    "helm.sh/hook": test-success
---
apiVersion: v1
kind: Pod
metadata:
  name: unknown
  annotations:
    helm.sh/hook: sometimes
---
apiVersion: v1
kind: Pod
metadata:
  name: other
  annotations:
    example.com/x: "y"
`},
		{"c/templates/bad.yaml": "apiVersion: v1\nkind: [\n"},
		{"c/templates/badann.yaml": "apiVersion: v1\nkind: A\nmetadata:\n  name: a\n  annotations:\n    n: 1\n"},
		{"c/templates/badmeta.yaml": "apiVersion: v1\nkind: A\nmetadata: x\n"},
		{"c/templates/case.yaml": "apiVersion: v1\nKind: A\nmetadata:\n  Annotations:\n    helm.sh/hook: pre-install\n"},
		{"c/templates/nullann.yaml": "apiVersion: v1\nkind: A\nmetadata:\n  name: a\n  annotations:\n"},
		{"c/templates/yes.yaml": "apiVersion: v1\nkind: A\nmetadata:\n  name: yes\n  annotations:\n    helm.sh/hook: pre-install\n    x: on\n"},
		{"c/templates/list.yaml": "- a\n- b\n"},
	}
	// And every fixture chart's own templates.
	for _, name := range []string{"cert-manager", "flink-kubernetes-operator", "aws-for-fluent-bit", "karpenter", "karpenter-v1"} {
		c, err := LoadFS(catalog.Charts, "charts/"+name)
		if err != nil {
			t.Fatal(err)
		}
		caps, _ := capabilities(Options{KubeVersion: "v1.29.0"})
		vals, err := chartutil.ToRenderValues(c, map[string]any{}, chartutil.ReleaseOptions{Name: "r", Namespace: "ns", IsInstall: true}, caps)
		if err != nil {
			t.Fatal(err)
		}
		files, err := engine.Render(c, vals)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, files)
	}
	for i, files := range cases {
		for name := range files {
			if strings.HasSuffix(name, "NOTES.yaml") {
				delete(files, name)
			}
		}
		want, wantErr := helmSort(t, files)
		got, err := sortManifests(files)
		if wantErr != nil || err != nil {
			if wantErr == nil || err == nil || err.Error() != wantErr.Error() {
				t.Errorf("case %d: error %v, want %v", i, err, wantErr)
			}
			continue
		}
		if !reflect.DeepEqual(comparable(got), comparable(want)) {
			t.Errorf("case %d: split\n%+v\nwant\n%+v", i, comparable(got), comparable(want))
		}
		for _, d := range append(got.Manifests, hookDocuments(got.Hooks)...) {
			objs, err := d.Objects("c")
			wantObjs, wantErr := manifest.ParseYAML("c", []byte(d.Content))
			if fmt.Sprint(err) != fmt.Sprint(wantErr) || !reflect.DeepEqual(objs, wantObjs) {
				t.Errorf("case %d, %s: objects %v %v, want %v %v", i, d.Source, objs, err, wantObjs, wantErr)
			}
		}
	}
}

func hookDocuments(hs []Hook) []Document {
	var out []Document
	for _, h := range hs {
		out = append(out, h.Document)
	}
	return out
}

// TestConcurrent tells charts with dependencies (which Helm rewrites while
// rendering) from the others.
func TestConcurrent(t *testing.T) {
	c, err := LoadFS(catalog.Charts, catalog.JobChart)
	if err != nil {
		t.Fatal(err)
	}
	if !Concurrent(c) {
		t.Error("the job chart is not concurrent")
	}
	files := []*loader.BufferedFile{
		{Name: "Chart.yaml", Data: []byte("apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: child\n  version: 1.0.0\n")},
		{Name: "charts/child/Chart.yaml", Data: []byte("apiVersion: v2\nname: child\nversion: 1.0.0\n")},
	}
	p, err := loader.LoadFiles(files)
	if err != nil {
		t.Fatal(err)
	}
	if Concurrent(p) {
		t.Error("a chart with dependencies is concurrent")
	}
}

// helmSplit is releaseutil.SplitManifests in document order.
func helmSplit(content string) []string {
	m := releaseutil.SplitManifests(content)
	var out []string
	for i := 0; i < len(m); i++ {
		out = append(out, m[fmt.Sprintf("manifest-%d", i)])
	}
	return out
}

func FuzzSplitManifests(f *testing.F) {
	for _, s := range []string{"", "a", "---", "---\na: 1\n---\nb", "a\n---\n---\nb", "a \n ---x", "a\r\n---\t\nb", "\n\n---\n\n",
		"a\n----\nb", "a\n--- ---\nb", "x:\n  - y\n---\n# c\n---\nz", "---a\n\f---", "a\n---"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, want := splitManifests(s), helmSplit(s)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: %q, want %q", s, got, want)
		}
	})
}
