package chart

import (
	"reflect"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/krm-flink/krm-flink/catalog"
)

// TestToRenderValuesMatchesHelm coalesces values over chart defaults both
// ways: null deletes a default, maps merge, a map does not replace a
// scalar nor the reverse, empty lists stay empty (not nil), and the
// caller's values are not changed.
func TestToRenderValuesMatchesHelm(t *testing.T) {
	withDefaults, err := loader.LoadFiles([]*loader.BufferedFile{
		{Name: "Chart.yaml", Data: []byte("apiVersion: v2\nname: demo\nversion: 1.0.0\n")},
		{Name: "values.yaml", Data: []byte(`a: 1
b: {c: 2, d: {e: 3, f: [1, 2]}, g: null}
h: [x]
i: text
j: {k: v}
empty: []
nested: {list: [], map: {}}
`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	noDefaults, err := loader.LoadFiles([]*loader.BufferedFile{{Name: "Chart.yaml", Data: []byte("apiVersion: v2\nname: bare\nversion: 1.0.0\n")}})
	if err != nil {
		t.Fatal(err)
	}
	job, err := LoadFS(catalog.Charts, catalog.JobChart)
	if err != nil {
		t.Fatal(err)
	}
	cases := []map[string]any{
		{},
		{"a": 5.5, "new": "x"},
		{"a": nil, "b": map[string]any{"c": nil, "d": map[string]any{"e": "three"}, "g": "set"}},
		{"b": "not a table", "i": map[string]any{"a": "table"}, "j": map[string]any{"k": nil, "l": []any{}}},
		{"h": []any{"y", int64(2), true, nil, map[string]any{"z": 1.5}}, "empty": []any{}},
		{"nested": map[string]any{"list": []any{"a"}, "map": map[string]any{"b": int64(1)}}},
		{"b": map[string]any{"d": nil}},
		{"b": map[string]any{"d": map[string]any{"f": nil, "e": map[string]any{"deep": true}}}},
		jobValues(),
	}
	release := chartutil.ReleaseOptions{Name: "r", Namespace: "ns", Revision: 1, IsInstall: true}
	caps, err := capabilities(Options{KubeVersion: "v1.29.0"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Chart{withDefaults, noDefaults, job} {
		for i, vals := range cases {
			before := copyValues(vals)
			want, wantErr := chartutil.ToRenderValuesWithSchemaValidation(c, copyValues(vals), release, caps, true)
			got, err := toRenderValues(c, vals, release, caps)
			if err != nil || wantErr != nil {
				t.Fatalf("%s case %d: %v, %v", c.Name(), i, err, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s case %d:\n%#v\nwant\n%#v", c.Name(), i, got["Values"], want["Values"])
			}
			if !reflect.DeepEqual(vals, before) {
				t.Errorf("%s case %d: the caller's values changed", c.Name(), i)
			}
		}
	}
	// Not plain data: Helm coalesces it.
	odd := map[string]any{"b": map[string]string{"c": "typed"}, "list": []string{"a"}}
	want, _ := chartutil.ToRenderValuesWithSchemaValidation(withDefaults, copyValues(odd), release, caps, true)
	got, err := toRenderValues(withDefaults, odd, release, caps)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("typed values: %#v %v\nwant %#v", got, err, want)
	}
}
