package chart_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sync/errgroup"
	"helm.sh/helm/v3/pkg/action"
	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	kubefake "helm.sh/helm/v3/pkg/kube/fake"
	"helm.sh/helm/v3/pkg/storage"
	"helm.sh/helm/v3/pkg/storage/driver"

	"github.com/krm-flink/krm-flink/catalog"
	"github.com/krm-flink/krm-flink/internal/chart"
	"github.com/krm-flink/krm-flink/internal/component/certmanager"
	"github.com/krm-flink/krm-flink/internal/component/componenttest"
	"github.com/krm-flink/krm-flink/internal/component/flinkjob"
	"github.com/krm-flink/krm-flink/internal/component/flinkoperator"
	"github.com/krm-flink/krm-flink/internal/component/fluentbit"
	"github.com/krm-flink/krm-flink/internal/component/karpenter"
)

// document is one rendered document, as both sides are compared.
type document struct {
	Source, Content string
}

// helmInstall renders a chart the way `helm template` does: Helm's
// action.Install in client-only dry-run mode. It is the reference that
// chart.Render must match.
func helmInstall(c *helmchart.Chart, vals map[string]any, opts chart.Options) ([]document, error) {
	cfg := &action.Configuration{
		Releases:     storage.Init(driver.NewMemory()),
		KubeClient:   &kubefake.PrintingKubeClient{Out: io.Discard},
		Capabilities: chartutil.DefaultCapabilities,
		Log:          func(string, ...any) {},
	}
	inst := action.NewInstall(cfg)
	inst.DryRun = true
	inst.DryRunOption = "client"
	inst.ClientOnly = true
	inst.Replace = true
	inst.ReleaseName = opts.ReleaseName
	inst.Namespace = opts.Namespace
	inst.IncludeCRDs = opts.IncludeCRDs
	inst.DisableOpenAPIValidation = true
	if opts.KubeVersion != "" {
		kv, err := chartutil.ParseKubeVersion(opts.KubeVersion)
		if err != nil {
			return nil, err
		}
		inst.KubeVersion = kv
	}
	inst.APIVersions = opts.APIVersions
	rel, err := inst.Run(c, vals)
	if err != nil {
		return nil, err
	}
	var docs []document
	for _, part := range sourceHeader.Split(rel.Manifest, -1)[1:] {
		nl := strings.Index(part, "\n")
		source, content := part[:nl], strings.TrimSpace(part[nl+1:])
		if strings.HasPrefix(source, "crds/") || strings.Contains(source, "/crds/") {
			// Helm writes CRD files as they are; Render too, without trimming.
			content = strings.TrimSpace(content)
		}
		docs = append(docs, document{Source: source, Content: content})
	}
	for _, h := range rel.Hooks {
		docs = append(docs, document{Source: h.Path, Content: strings.TrimSpace(h.Manifest)})
	}
	sortDocs(docs)
	return docs, nil
}

var sourceHeader = regexp.MustCompile(`(?m)^---\n# Source: `)

func render(c *helmchart.Chart, vals map[string]any, opts chart.Options) ([]document, error) {
	res, err := chart.Render(c, vals, opts)
	if err != nil {
		return nil, err
	}
	var docs []document
	for _, d := range append(res.CRDs, res.Manifests...) {
		docs = append(docs, document{Source: d.Source, Content: strings.TrimSpace(d.Content)})
	}
	sortDocs(docs)
	return docs, nil
}

func sortDocs(docs []document) {
	sort.Slice(docs, func(i, j int) bool {
		if docs[i].Source != docs[j].Source {
			return docs[i].Source < docs[j].Source
		}
		return docs[i].Content < docs[j].Content
	})
}

type differentialCase struct {
	name  string
	load  func(t *testing.T) *helmchart.Chart
	vals  map[string]any
	opts  chart.Options
	fails bool
	// skippedByHelm names the documents Helm's install leaves out and
	// chart.Render keeps for the caller's hooks policy: hooks for events
	// Helm does not know.
	skippedByHelm []string
}

// TestRenderMatchesHelmInstall renders every built-in chart and charts that
// exercise Helm's template engine through chart.Render and through Helm's
// own install action, and requires the same documents (or both to fail).
func TestRenderMatchesHelmInstall(t *testing.T) {
	set := componenttest.Example(t)
	p := componenttest.Plan(t, set, "prod")
	jobValues := make([]any, 0, len(p.Jobs))
	for _, j := range p.Jobs {
		v, err := flinkjob.Values(p, j)
		if err != nil {
			t.Fatal(err)
		}
		jobValues = append(jobValues, v)
	}
	builtIn := func(dir string) func(t *testing.T) *helmchart.Chart {
		return func(t *testing.T) *helmchart.Chart {
			c, err := chart.LoadFS(catalog.Charts, "charts/"+dir)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	built := func(files map[string]string) func(t *testing.T) *helmchart.Chart {
		return func(t *testing.T) *helmchart.Chart { return buildChart(t, files) }
	}
	opts := chart.Options{ReleaseName: "rel", Namespace: "ns", KubeVersion: "v1.29.0", APIVersions: []string{"example.com/v1"}, IncludeCRDs: true}
	operatorChart := builtIn("flink-kubernetes-operator")(t)
	cases := []differentialCase{
		{name: "flink-job", load: builtIn("flink-job"), vals: flinkjob.JobsValues(jobValues), opts: opts},
		{name: "cert-manager", load: builtIn("cert-manager"), vals: certmanager.Values("v1.8.2"), opts: opts},
		{name: "flink-kubernetes-operator", load: builtIn("flink-kubernetes-operator"), vals: flinkoperator.Values(p, flinkoperator.ConfigKeys(operatorChart)), opts: opts},
		{name: "aws-for-fluent-bit", load: builtIn("aws-for-fluent-bit"), vals: fluentbit.Values(p), opts: opts},
		{name: "karpenter", load: builtIn("karpenter"), vals: karpenter.Values(p), opts: opts},
		{name: "karpenter-v1", load: builtIn("karpenter-v1"), vals: karpenter.Values(p), opts: opts},
		{name: "engine functions", load: built(engineChart), opts: opts},
		{name: "values override", load: built(engineChart), vals: map[string]any{"greeting": "hi", "nested": map[string]any{"x": nil, "z": []any{1.5, "0x10", true}}, "sub": map[string]any{"who": "override"}}, opts: opts},
		{name: "subchart disabled by condition", load: built(engineChart), vals: map[string]any{"sub": map[string]any{"enabled": false}}, opts: opts},
		{name: "subchart import-values", load: built(importChart), opts: opts},
		{name: "hooks", load: built(hooksChart), opts: opts, skippedByHelm: []string{"unknown-hook"}},
		{name: "required fails", load: built(requiredChart), opts: opts, fails: true},
		{name: "required given", load: built(requiredChart), vals: map[string]any{"must": "here"}, opts: opts},
		{name: "include recursion", load: built(recursionChart), opts: opts, fails: true},
		{name: "fail function", load: built(failChart), opts: opts, fails: true},
		{name: "schema rejects", load: built(schemaChart), vals: map[string]any{"port": "x"}, opts: opts, fails: true},
		{name: "schema accepts", load: built(schemaChart), vals: map[string]any{"port": 8080}, opts: opts},
		{name: "subchart schema rejects", load: built(schemaSubchart), vals: map[string]any{"child": map[string]any{"port": -1}}, opts: opts, fails: true},
		{name: "kube version gate", load: built(kubeVersionChart), opts: chart.Options{ReleaseName: "rel", Namespace: "ns", KubeVersion: "v1.20.0"}, fails: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := helmInstall(tc.load(t), tc.vals, tc.opts)
			got, gotErr := render(tc.load(t), tc.vals, tc.opts)
			if (wantErr != nil) != tc.fails {
				t.Fatalf("helm: error %v, the case expects failure %v", wantErr, tc.fails)
			}
			if (gotErr != nil) != tc.fails {
				t.Fatalf("chart.Render: error %v, helm's %v", gotErr, wantErr)
			}
			if tc.fails {
				return
			}
			if len(want) == 0 {
				t.Fatal("helm rendered nothing: the case tests nothing")
			}
			for _, name := range tc.skippedByHelm {
				kept := got[:0]
				for _, d := range got {
					if !strings.Contains(d.Content, "\n  name: "+name+"\n") {
						kept = append(kept, d)
					}
				}
				if len(kept) != len(got)-1 {
					t.Errorf("chart.Render has %d documents named %s, want 1", len(got)-len(kept), name)
				}
				got = kept
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("chart.Render differs from helm's install (-helm +krm-flink):\n%s", diff)
			}
		})
	}
}

// TestRenderLeavesTheChartAlone renders a chart whose subchart a value
// disables, then one that keeps it: Helm's dependency processing must not
// have removed it from the loaded chart.
func TestRenderLeavesTheChartAlone(t *testing.T) {
	c := buildChart(t, engineChart)
	opts := chart.Options{ReleaseName: "rel", Namespace: "ns"}
	if _, err := chart.Render(c, map[string]any{"sub": map[string]any{"enabled": false}}, opts); err != nil {
		t.Fatal(err)
	}
	res, err := chart.Render(c, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, d := range res.Manifests {
		sources = append(sources, d.Source)
	}
	if !strings.Contains(strings.Join(sources, " "), "charts/sub/templates/s.yaml") {
		t.Errorf("the subchart is gone after a render that disabled it: %v", sources)
	}
}

// TestCollectHelmLog: what Helm logs during renders, concurrent ones too,
// comes back once per distinct line, and the standard logger is restored.
func TestCollectHelmLog(t *testing.T) {
	c := buildChart(t, engineChart)
	warnings, err := chart.CollectHelmLog(func() error {
		var g errgroup.Group
		for range 4 {
			g.Go(func() error {
				_, err := chart.Render(c, map[string]any{"list": map[string]any{"a": 1}}, chart.Options{ReleaseName: "rel", Namespace: "ns"})
				return err
			})
		}
		return g.Wait()
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"warning: skipped value for demo.list: Not a table."}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if log.Writer() != os.Stderr {
		t.Errorf("the standard logger writes to %v after the collection, not to stderr", log.Writer())
	}
}

// TestValuesErrorNamesEveryProblem: a schema failure is a *chart.ValuesError
// listing each rejected location, the subchart's too.
func TestValuesErrorNamesEveryProblem(t *testing.T) {
	c := buildChart(t, schemaSubchart)
	_, err := chart.Render(c, map[string]any{"port": "x", "child": map[string]any{"port": -1}}, chart.Options{ReleaseName: "r", Namespace: "ns"})
	var valuesErr *chart.ValuesError
	if !asValuesError(err, &valuesErr) {
		t.Fatalf("error %v (%T) is not a *chart.ValuesError", err, err)
	}
	want := []string{"parent: at '/port': got string, want integer", "child: at '/port': minimum: got -1, want 1"}
	if diff := cmp.Diff(want, valuesErr.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func asValuesError(err error, target **chart.ValuesError) bool {
	for err != nil {
		if v, ok := err.(*chart.ValuesError); ok {
			*target = v
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// TestSchemaVerdictMatchesHelm: the cached validation accepts and rejects
// exactly what Helm's chartutil.ValidateAgainstSchema does.
func TestSchemaVerdictMatchesHelm(t *testing.T) {
	values := []map[string]any{
		{},
		{"port": 8080},
		{"port": "8080"},
		{"port": 0},
		{"port": 8080, "extra": true},
		{"port": 8080, "child": map[string]any{"port": 2}},
		{"port": 8080, "child": map[string]any{"port": 0}},
		{"port": 8080, "child": "scalar"},
		{"port": 8080.5},
		{"port": nil},
	}
	for i, v := range values {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			helmChart := buildChart(t, schemaSubchart)
			coalesced, helmErr := chartutil.CoalesceValues(helmChart, v)
			if helmErr == nil {
				helmErr = chartutil.ValidateAgainstSchema(helmChart, coalesced)
			}
			_, err := chart.Render(buildChart(t, schemaSubchart), v, chart.Options{ReleaseName: "r", Namespace: "ns"})
			if (helmErr == nil) != (err == nil) {
				t.Errorf("values %v: helm says %v, krm-flink %v", v, helmErr, err)
			}
		})
	}
}

func buildChart(t *testing.T, files map[string]string) *helmchart.Chart {
	t.Helper()
	var bf []*loader.BufferedFile
	for name, data := range files {
		bf = append(bf, &loader.BufferedFile{Name: name, Data: []byte(data)})
	}
	c, err := loader.LoadFiles(bf)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var engineChart = map[string]string{
	"Chart.yaml":   "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"9\"\ndependencies:\n- name: sub\n  version: 0.1.0\n  condition: sub.enabled\n",
	"values.yaml":  "greeting: hello\nlist: [a, b]\nnested: {x: 1, y: [1, 2.5, yes, null, '0x10', 1e3, 12345678901234567890]}\nsub: {who: child, enabled: true}\nodd: {empty: '', t: 2001-12-14t21:59:43.10-05:00, multi: \"a\\nb\\n\", colon: 'a: b', hash: '# x'}\n",
	"files/a.conf": "a=1\nb=2\n",
	"files/b.conf": "c=3",
	"templates/_helpers.tpl": `{{- define "demo.name" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end -}}
{{- define "demo.labels" -}}
app: {{ include "demo.name" . }}
chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}`,
	"templates/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "demo.name" . }}
  labels: {{- include "demo.labels" . | nindent 4 }}
data:
  template: {{ .Template.Name }} {{ .Template.BasePath }}
  greeting: {{ .Values.greeting | upper | quote }}
  tpl: {{ tpl "{{ .Values.greeting }}, {{ .Release.Namespace }}" . | quote }}
  yaml: |
{{ toYaml .Values.nested | indent 4 }}
  odd: |
{{ toYaml .Values.odd | indent 4 }}
  json: {{ toJson .Values.list | quote }}
  files: {{ .Files.Get "files/a.conf" | quote }}
  glob: |
{{ (.Files.Glob "files/*").AsConfig | indent 4 }}
  secrets: {{ (.Files.Glob "files/b*").AsSecrets | quote }}
  lines: {{ .Files.Lines "files/a.conf" | join "," }}
  caps: {{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.APIVersions.Has "example.com/v1" }}
  missing: {{ .Values.nothing }}
  lookup: {{ lookup "v1" "Pod" "ns" "x" | toJson | quote }}
  fromYaml: {{ fromYaml "a: 1" | toJson | quote }}
  toml: {{ toToml .Values.nested | quote }}
  root: {{ .Chart.IsRoot }}
`,
	"templates/NOTES.txt":               "Thanks {{ .Release.Name }}",
	"crds/thing.yaml":                   "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: things.example.com\n",
	"charts/sub/Chart.yaml":             "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
	"charts/sub/values.yaml":            "who: default\n",
	"charts/sub/templates/s.yaml":       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sub-{{ .Release.Name }}\ndata:\n  who: {{ .Values.who }}\n  root: {{ .Chart.IsRoot | quote }}\n  name: {{ .Chart.Name }}\n  global: {{ .Values.global | toJson | quote }}\n",
	"charts/sub/templates/_partial.tpl": `{{- define "sub.x" }}x{{ end }}`,
}

var importChart = map[string]string{
	"Chart.yaml":                    "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: child\n  version: 0.1.0\n  import-values:\n  - child: exported\n    parent: imported\n",
	"values.yaml":                   "imported: {keep: parent}\n",
	"templates/cm.yaml":             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: parent\ndata:\n  imported: {{ toJson .Values.imported | quote }}\n",
	"charts/child/Chart.yaml":       "apiVersion: v2\nname: child\nversion: 0.1.0\n",
	"charts/child/values.yaml":      "exported: {from: child, keep: child}\n",
	"charts/child/templates/x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: child\n",
}

var hooksChart = map[string]string{
	"Chart.yaml": "apiVersion: v2\nname: hooks\nversion: 1.0.0\n",
	"templates/all.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: pre
  annotations:
    helm.sh/hook: pre-install,post-upgrade
    helm.sh/hook-weight: "-5"
---
apiVersion: v1
kind: Pod
metadata:
  name: test
  annotations:
    helm.sh/hook: test
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: unknown-hook
  annotations:
    helm.sh/hook: not-a-hook
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: plain
  annotations:
    other: x
`,
}

var requiredChart = map[string]string{
	"Chart.yaml":        "apiVersion: v2\nname: req\nversion: 1.0.0\n",
	"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ required \"must is required\" .Values.must }}\n",
}

var recursionChart = map[string]string{
	"Chart.yaml":        "apiVersion: v2\nname: rec\nversion: 1.0.0\n",
	"templates/_r.tpl":  `{{- define "loop" }}{{ include "loop" . }}{{ end }}`,
	"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  v: {{ include \"loop\" . }}\n",
}

var failChart = map[string]string{
	"Chart.yaml":        "apiVersion: v2\nname: f\nversion: 1.0.0\n",
	"templates/cm.yaml": "{{ fail \"no\" }}\n",
}

var schemaChart = map[string]string{
	"Chart.yaml":         "apiVersion: v2\nname: parent\nversion: 1.0.0\n",
	"values.schema.json": `{"type": "object", "properties": {"port": {"type": "integer", "minimum": 1}}, "required": ["port"]}`,
	"templates/cm.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\ndata:\n  port: {{ .Values.port | quote }}\n",
}

var schemaSubchart = map[string]string{
	"Chart.yaml":                      "apiVersion: v2\nname: parent\nversion: 1.0.0\n",
	"values.schema.json":              `{"type": "object", "properties": {"port": {"type": "integer", "minimum": 1}}, "required": ["port"]}`,
	"templates/cm.yaml":               "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\n",
	"charts/child/Chart.yaml":         "apiVersion: v2\nname: child\nversion: 0.1.0\n",
	"charts/child/values.schema.json": `{"type": "object", "properties": {"port": {"type": "integer", "minimum": 1}}}`,
	"charts/child/templates/x.yaml":   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
}

var kubeVersionChart = map[string]string{
	"Chart.yaml":        "apiVersion: v2\nname: kv\nversion: 1.0.0\nkubeVersion: '>=1.25.0-0'\n",
	"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
}
