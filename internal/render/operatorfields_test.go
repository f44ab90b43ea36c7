package render

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/flinkcrd"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// TestOperatorFieldProblemsPointAtTheInput: a field the pinned operator
// lacks is reported at the input field it came from (the job's own, its
// environment override, the platform's spec.flink), else at the job with
// the rendered object named, else at the platform.
func TestOperatorFieldProblemsPointAtTheInput(t *testing.T) {
	platform := &api.FlinkPlatform{APIVersion: api.APIVersion, Kind: api.KindPlatform, Metadata: api.ObjectMeta{Name: "p"}}
	platform.Spec.Flink.FlinkVersion = "v2_0"
	platform.Spec.Components.FlinkOperator.Version = "1.7.0"
	job := &api.FlinkJobSpec{APIVersion: api.APIVersion, Kind: api.KindJob, Metadata: api.ObjectMeta{Name: "orders", Namespace: "shop"}}
	job.Spec.UpgradeMode = "savepoint"
	job.Spec.Environments = map[string]json.RawMessage{"dev": json.RawMessage(`{"state":"suspended"}`)}
	p := &resolve.Plan{
		Env:      api.Environment{Name: "dev"},
		Platform: platform,
		Source:   &input.Platform{FlinkPlatform: platform, File: "platform.yaml"},
		Jobs:     []*resolve.Job{{FlinkJobSpec: job, Source: &input.Job{FlinkJobSpec: job, File: "job.yaml"}}},
	}
	obj := func(name string, spec map[string]any) *manifest.Object {
		return manifest.New("jobs", map[string]any{
			"apiVersion": "flink.apache.org/v1beta1", "kind": "FlinkDeployment",
			"metadata": map[string]any{"name": name, "namespace": "shop"},
			"spec":     spec,
		})
	}
	tests := map[string]struct {
		obj  *manifest.Object
		want string // file: field
	}{
		"job's own field, under job in the rendered object": {
			obj("orders", map[string]any{"job": map[string]any{"upgradeMode": "savepoint", "savepointRedeployNonce": int64(1)}}),
			"job.yaml: rendered FlinkDeployment shop/orders"},
		"platform's flinkVersion": {
			obj("orders", map[string]any{"flinkVersion": "v2_0"}), "platform.yaml: spec.flink.flinkVersion"},
		"a value the input does not hold": {
			obj("orders", map[string]any{"flinkVersion": "v2_2"}), "job.yaml: rendered FlinkDeployment shop/orders"},
		"no job of that name": {
			obj("other", map[string]any{"flinkVersion": "v2_0"}), "platform.yaml: spec.components.flink-operator.version"},
	}
	// Findings the real facts cannot produce for today's input fields: the
	// mapping from rendered paths to input fields.
	for rendered, want := range map[string]string{
		"spec job upgradeMode": "job.yaml: spec.upgradeMode",
		"spec job state":       "job.yaml: spec.environments.dev.state",
		"spec jobManager":      "platform.yaml: spec.flink.jobManager",
	} {
		platform.Spec.Flink.JobManager = &api.ProcessSpec{}
		pr := operatorFieldProblem(p, p.Jobs[0], obj("orders", nil), flinkcrd.Finding{Path: strings.Fields(rendered), Since: flinkcrd.Release{Major: 1, Minor: 8}},
			"1.7.0", specOf(platform))
		if got := pr.File + ": " + pr.Field; got != want {
			t.Errorf("%s: got %q, want %q", rendered, got, want)
		}
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			probs := checkOperatorFields(p, []*manifest.Object{tc.obj})
			if len(probs) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(probs), probs)
			}
			pr := probs[0]
			got := pr.File + ": " + pr.Field
			if pr.Field == "" {
				got = pr.File + ": " + pr.Message[:len("rendered FlinkDeployment shop/orders")]
			}
			if got != tc.want {
				t.Errorf("got %q, want %q (%s)", got, tc.want, pr)
			}
		})
	}
}

func TestInputCandidates(t *testing.T) {
	got := inputCandidates([]string{"spec", "template", "spec", "job", "[0]", "x"})
	want := [][]string{{"template", "spec", "job", "[0]", "x"}, {"spec", "job", "[0]", "x"}, {"job", "[0]", "x"}, {"x"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) || got[i][0] != want[i][0] {
			t.Errorf("candidate %d: got %v, want %v", i, got[i], want[i])
		}
	}
	spec := map[string]any{"upgradeMode": "savepoint", "environments": map[string]any{"dev": map[string]any{"args": []any{"a"}}}}
	for path, want := range map[string]bool{"upgradeMode": true, "environments dev args [0]": true, "environments dev args [1]": false, "state": false} {
		if got := has(spec, strings.Fields(path), ""); got != want {
			t.Errorf("has %s = %v, want %v", path, got, want)
		}
	}
	if has(spec, []string{"upgradeMode"}, "stateless") {
		t.Error("has matched another value")
	}
}
