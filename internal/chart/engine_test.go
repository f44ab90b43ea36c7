package chart

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"

	"github.com/krm-flink/krm-flink/catalog"
)

// engineChart exercises what Helm's engine offers templates.
func engineChart(t *testing.T, extra ...*loader.BufferedFile) *Chart {
	t.Helper()
	files := []*loader.BufferedFile{
		{Name: "Chart.yaml", Data: []byte("apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"9\"\n")},
		{Name: "values.yaml", Data: []byte("greeting: hello\nlist: [a, b]\nnested: {x: 1, y: [1, 2.5, yes]}\nsub: {who: child}\n")},
		{Name: "files/a.conf", Data: []byte("a=1\nb=2\n")},
		{Name: "files/b.conf", Data: []byte("c=3")},
		{Name: "templates/_helpers.tpl", Data: []byte(`{{- define "demo.name" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end -}}
{{- define "demo.labels" -}}
app: {{ include "demo.name" . }}
chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}`)},
		{Name: "templates/cm.yaml", Data: []byte(`apiVersion: v1
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
  json: {{ toJson .Values.list | quote }}
  pretty: |
{{ toYamlPretty .Values.nested | indent 4 }}
  files: {{ .Files.Get "files/a.conf" | quote }}
  glob: |
{{ (.Files.Glob "files/*").AsConfig | indent 4 }}
  secrets: {{ (.Files.Glob "files/b*").AsSecrets | quote }}
  lines: {{ .Files.Lines "files/a.conf" | join "," }}
  caps: {{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.APIVersions.Has "apps/v1" }}
  missing: {{ .Values.nothing }}
  host: {{ getHostByName "example.com" | quote }}
  lookup: {{ lookup "v1" "Pod" "ns" "x" | toJson | quote }}
  fromYaml: {{ fromYaml "a: 1" | toJson | quote }}
  toml: {{ toToml .Values.nested | quote }}
  root: {{ .Chart.IsRoot }}
`)},
		{Name: "templates/NOTES.txt", Data: []byte("Thanks {{ .Release.Name }}")},
		{Name: "charts/sub/Chart.yaml", Data: []byte("apiVersion: v2\nname: sub\nversion: 0.1.0\n")},
		{Name: "charts/sub/values.yaml", Data: []byte("who: default\n")},
		{Name: "charts/sub/templates/s.yaml", Data: []byte("kind: Sub\nwho: {{ .Values.who }}\nroot: {{ .Chart.IsRoot }}\nname: {{ .Chart.Name }}\n")},
	}
	c, err := loader.LoadFiles(append(files, extra...))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func renderValues(t *testing.T, c *Chart, values map[string]any) chartutil.Values {
	t.Helper()
	caps, err := capabilities(Options{KubeVersion: "v1.29.0", APIVersions: []string{"example.com/v1"}})
	if err != nil {
		t.Fatal(err)
	}
	vals, err := chartutil.ToRenderValuesWithSchemaValidation(c, values, chartutil.ReleaseOptions{Name: "rel", Namespace: "ns", Revision: 1, IsInstall: true}, caps, true)
	if err != nil {
		t.Fatal(err)
	}
	return vals
}

// sameAsHelm renders c twice with the parsed-once engine and once with
// Helm's, and compares.
func sameAsHelm(t *testing.T, name string, c *Chart, values map[string]any) {
	t.Helper()
	want, wantErr := engine.Render(c, renderValues(t, c, values))
	for i := 0; i < 2; i++ {
		got, err := renderTemplates(c, renderValues(t, c, values))
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Errorf("%s: error %v, want %v", name, err, wantErr)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			for k := range want {
				if got[k] != want[k] {
					t.Errorf("%s: %s:\n%s\nwant\n%s", name, k, got[k], want[k])
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s: %d templates rendered, want %d", name, len(got), len(want))
			}
		}
	}
}

func TestEngineMatchesHelm(t *testing.T) {
	c := engineChart(t)
	if !Concurrent(c) {
		t.Fatal("the test chart should take the parsed-once engine")
	}
	sameAsHelm(t, "defaults", c, nil)
	sameAsHelm(t, "values", c, map[string]any{"greeting": "hi there", "nested": map[string]any{"x": "1", "z": nil}, "sub": map[string]any{"who": "parent"}})

	for name, tpl := range map[string]string{
		"required":       `{{ required "give greeting2" .Values.greeting2 }}`,
		"fail":           `{{ fail "no way" }}`,
		"parse error":    `{{ if }}`,
		"unknown func":   `{{ nope }}`,
		"exec error":     `{{ index .Values.list 5 }}`,
		"bad include":    `{{ include "missing" . }}`,
		"recursion":      `{{ define "loop" }}{{ include "loop" . }}{{ end }}{{ include "loop" . }}`,
		"tpl parse":      `{{ tpl "{{ if }}" . }}`,
		"tpl define":     `{{ tpl "{{ define \"x\" }}X{{ end }}{{ include \"x\" . }}" . }}`,
		"panic":          `{{ .Values.greeting.nothing.deeper }}`,
		"no value":       `a: {{ .Values.missing.key }}`,
		"library helper": `{{ template "demo.name" . }}`,
	} {
		bad := engineChart(t, &loader.BufferedFile{Name: "templates/zz.yaml", Data: []byte(tpl)})
		sameAsHelm(t, name, bad, nil)
	}
	for _, dir := range []string{"flink-job", "cert-manager", "flink-kubernetes-operator", "aws-for-fluent-bit", "karpenter", "karpenter-v1"} {
		fc, err := LoadFS(catalog.Charts, "charts/"+dir)
		if err != nil {
			t.Fatal(err)
		}
		vals := map[string]any{}
		if dir == "flink-job" {
			vals = jobValues()
		}
		sameAsHelm(t, dir, fc, vals)
	}
}

// TestEngineSeesChartChanges changes a chart's templates between renders:
// the parsed set must follow.
func TestEngineSeesChartChanges(t *testing.T) {
	c := engineChart(t)
	sameAsHelm(t, "before", c, nil)
	c.Templates = append(c.Templates, &helmchart.File{Name: "templates/new.yaml", Data: []byte("kind: New\nname: {{ .Release.Name }}\n")})
	c.Templates[0] = &helmchart.File{Name: c.Templates[0].Name, Data: append([]byte("# changed\n"), c.Templates[0].Data...)}
	sameAsHelm(t, "after", c, nil)
	got, err := renderTemplates(c, renderValues(t, c, nil))
	if err != nil || got["demo/templates/new.yaml"] != "kind: New\nname: rel\n" {
		t.Errorf("new template: %q %v", got["demo/templates/new.yaml"], err)
	}
}

// TestEngineConcurrent renders one chart from many goroutines (run with
// -race): the same output every time.
func TestEngineConcurrent(t *testing.T) {
	c := engineChart(t)
	want, err := engine.Render(c, renderValues(t, c, nil))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				got, err := renderTemplates(c, renderValues(t, c, nil))
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("concurrent render differs: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
