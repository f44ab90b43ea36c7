package render

import (
	"strings"
	"testing"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// TestCheckFlinkExtra: a pass-through Flink operator object is refused
// for a kind the pinned release predates (from the facts: FlinkStateSnapshot
// 1.10, FlinkBlueGreenDeployment 1.14), a field or value it lacks, a kind
// or apiVersion no release serves, and a snapshot the webhook refuses;
// a release past the newest known is read as the newest, and a version
// that is no release skips the version checks.
func TestCheckFlinkExtra(t *testing.T) {
	obj := func(apiVersion, kind string, spec map[string]any) *input.Extra {
		return &input.Extra{File: "own.yaml", Object: manifest.New(input.ExtraComponent, map[string]any{
			"apiVersion": apiVersion, "kind": kind,
			"metadata": map[string]any{"name": "x", "namespace": "shop"}, "spec": spec,
		})}
	}
	const v1beta1 = "flink.apache.org/v1beta1"
	registered := map[string]any{"savepoint": map[string]any{"alreadyExists": true, "path": "s3://b/sp"}}
	bg := map[string]any{"template": map[string]any{"spec": map[string]any{"flinkVersion": "v1_20"}}}
	tests := []struct {
		name, pinned string
		extra        *input.Extra
		want         string // "" for no problem, else a part of the one problem
	}{
		{"snapshot on 1.9", "1.9.0", obj(v1beta1, "FlinkStateSnapshot", registered), "kind: the Flink operator 1.9.0 (spec.components.flink-operator.version on the FlinkPlatform) has no FlinkStateSnapshot CRD; 1.10 is the first release with it"},
		{"snapshot on 1.10", "1.10.0", obj(v1beta1, "FlinkStateSnapshot", registered), ""},
		{"blue/green on 1.13", "1.13.1", obj(v1beta1, "FlinkBlueGreenDeployment", bg), "has no FlinkBlueGreenDeployment CRD; 1.14 is the first release with it"},
		{"blue/green on 1.14", "1.14.0", obj(v1beta1, "FlinkBlueGreenDeployment", bg), ""},
		{"newer than known", "1.99.0", obj(v1beta1, "FlinkBlueGreenDeployment", bg), ""},
		{"field 1.7 lacks", "1.7.0", obj(v1beta1, "FlinkDeployment", map[string]any{"job": map[string]any{"savepointRedeployNonce": int64(1)}}),
			"spec.job.savepointRedeployNonce: the Flink operator 1.7.0 (spec.components.flink-operator.version on the FlinkPlatform) has no field spec.job.savepointRedeployNonce in its FlinkDeployment CRD; 1.8 is the first release with it"},
		{"value 1.10 lacks", "1.10.0", obj(v1beta1, "FlinkDeployment", map[string]any{"flinkVersion": "v2_0"}), `spec.flinkVersion: the Flink operator 1.10.0 (spec.components.flink-operator.version on the FlinkPlatform) does not allow "v2_0"`},
		{"not a release: no version check", "main", obj(v1beta1, "FlinkDeployment", map[string]any{"flinkVersion": "v2_0"}), ""},
		{"unknown kind", "1.15.0", obj(v1beta1, "FlinkCluster", nil), `kind: Unsupported value: "FlinkCluster"`},
		{"old apiVersion", "1.15.0", obj("flink.apache.org/v1alpha1", "FlinkDeployment", nil), `apiVersion: Unsupported value: "flink.apache.org/v1alpha1"`},
		{"snapshot to take without a job", "1.15.0", obj(v1beta1, "FlinkStateSnapshot", map[string]any{"savepoint": map[string]any{"path": "s3://b"}}), "spec.jobReference: Required value"},
		{"snapshot of a job", "1.15.0", obj(v1beta1, "FlinkStateSnapshot", map[string]any{"jobReference": map[string]any{"kind": "FlinkDeployment", "name": "orders"}, "checkpoint": map[string]any{}}), ""},
		{"another group", "1.7.0", obj("example.com/v1", "FlinkStateSnapshot", nil), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			platform := &api.FlinkPlatform{}
			platform.Spec.Components.FlinkOperator.Version = tt.pinned
			probs := checkFlinkExtra(&resolve.Plan{Platform: platform}, tt.extra)
			switch {
			case tt.want == "" && len(probs) > 0:
				t.Errorf("want no problem, got %v", probs)
			case tt.want != "" && (len(probs) != 1 || !strings.Contains(probs[0].String(), tt.want)):
				t.Errorf("want one problem with %q, got %v", tt.want, probs)
			case tt.want != "" && !strings.HasPrefix(probs[0].String(), "own.yaml: "):
				t.Errorf("the problem does not name the file: %v", probs[0])
			}
		})
	}
}
