package importer

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadCompare feeds arbitrary files through Read and compares every
// FlinkDeployment it finds with itself and with a bare one: any outcome
// but a panic is fine, and an object never differs from itself.
func FuzzReadCompare(f *testing.F) {
	f.Add([]byte(jobYAML("a", "x")))
	f.Add([]byte("apiVersion: v1\nkind: List\nitems:\n" + indent(jobYAML("a", "x"))))
	f.Add([]byte("apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata: {name: a, namespace: x}\nspec: {flinkConfiguration: {a: [1, {b: c}]}, jobManager: 3, job: {}}\n"))
	f.Add([]byte("apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata: {name: a}\nspec: {podTemplate: {spec: {containers: [{name: a}, {name: a}, 1]}}}\n"))
	bare := map[string]any{"metadata": map[string]any{"name": "a", "namespace": "x"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "in.yaml")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		objs, _ := Read([]string{p}, "ns")
		for _, o := range objs {
			if ds := Lost(Compare(o.Data, o.Data)); len(ds) != 0 && !hasNaN(o.Data) {
				t.Fatalf("an object differs from itself: %+v", ds)
			}
			Compare(o.Data, bare)
			Compare(bare, o.Data)
		}
	})
}

// hasNaN tells whether a value holds a NaN, the one value unequal to itself.
func hasNaN(v any) bool {
	switch x := canonical(v).(type) {
	case map[string]any:
		for _, c := range x {
			if hasNaN(c) {
				return true
			}
		}
	case []any:
		for _, c := range x {
			if hasNaN(c) {
				return true
			}
		}
	case float64:
		return x != x
	}
	return false
}
