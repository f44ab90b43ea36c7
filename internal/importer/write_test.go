package importer

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMarshalLeavesOutNulls: the nulls and empty structs the Kubernetes
// types write for unset fields are not written; maps empty in the spec are.
func TestMarshalLeavesOutNulls(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{
			name: "null values",
			in:   map[string]any{"a": 1, "b": nil},
			want: "a: 1\n",
		},
		{
			name: "a map of nulls only goes with them",
			in:   map[string]any{"a": 1, "metadata": map[string]any{"creationTimestamp": nil}, "spec": map[string]any{"containers": nil}},
			want: "a: 1\n",
		},
		{
			name: "empty metadata and resources, as structs write them",
			in:   map[string]any{"a": map[string]any{"metadata": map[string]any{}, "resources": map[string]any{}, "b": 1}},
			want: "a:\n  b: 1\n",
		},
		{
			name: "a map empty in the spec stays",
			in:   map[string]any{"volumes": []any{map[string]any{"name": "v", "emptyDir": map[string]any{}}}},
			want: "volumes:\n  - emptyDir: {}\n    name: v\n", // maps marshal sorted
		},
		{
			name: "a null list item stays",
			in:   map[string]any{"args": []any{"x", nil}},
			want: "args:\n  - x\n  - null\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestPodSecurityViolations reads the violations out of render's error
// about a job's pods, and nothing out of any other error.
func TestPodSecurityViolations(t *testing.T) {
	const msg = `the operator would create Flink pods that do not meet the restricted Pod Security Standard: spec.podTemplate: privileged (container "x" must not set securityContext.privileged=true); change the pod templates (spec.podTemplate), or opt the job out with spec.podSecurity`
	tests := []struct {
		msg, level, want string
		ok               bool
	}{
		{msg, "restricted", `spec.podTemplate: privileged (container "x" must not set securityContext.privileged=true)`, true},
		{msg, "baseline", "", false},
		{"spec.podTemplate: unknown field", "restricted", "", false},
	}
	for _, tt := range tests {
		got, ok := podSecurityViolations(tt.msg, tt.level)
		if got != tt.want || ok != tt.ok {
			t.Errorf("podSecurityViolations(%q, %s) = %q, %v; want %q, %v", tt.msg, tt.level, got, ok, tt.want, tt.ok)
		}
	}
}
