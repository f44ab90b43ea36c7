package snapshot

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

func TestSnapshotSpec(t *testing.T) {
	yes, no, zero := true, false, int32(0)
	p := &resolve.Plan{Env: api.Environment{Name: "dev"}}
	meta := api.ObjectMeta{Name: "orders", Namespace: "shop"}
	for _, tc := range []struct {
		name    string
		kind    string
		in      api.Snapshot
		want    map[string]any
		objName string
	}{
		{"checkpoint", "FlinkDeployment", api.Snapshot{Name: "cp", Type: api.SnapshotCheckpoint, BackoffLimit: &zero},
			map[string]any{"backoffLimit": int64(0), "checkpoint": map[string]any{}, "jobReference": map[string]any{"kind": "FlinkDeployment", "name": "orders"}},
			"orders-cp"},
		{"registered savepoint of a session job", "FlinkSessionJob", api.Snapshot{Name: "sp", Type: api.SnapshotSavepoint, AlreadyExists: &yes, DisposeOnDelete: &no, Path: "s3://b/sp-1"},
			map[string]any{"savepoint": map[string]any{"alreadyExists": true, "disposeOnDelete": false, "path": "s3://b/sp-1"}, "jobReference": map[string]any{"kind": "FlinkSessionJob", "name": "orders"}},
			"orders-sp"},
		{"savepoint with defaults", "FlinkDeployment", api.Snapshot{Name: "now", Type: api.SnapshotSavepoint},
			map[string]any{"savepoint": map[string]any{}, "jobReference": map[string]any{"kind": "FlinkDeployment", "name": "orders"}},
			"orders-now"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Snapshot(p, meta, "shop-team", tc.kind, tc.in)
			if o.GetName() != tc.objName || o.GetNamespace() != "shop" || o.Component != Name {
				t.Errorf("object %s/%s in %s", o.GetNamespace(), o.GetName(), o.Component)
			}
			if diff := cmp.Diff(tc.want, o.Object["spec"]); diff != "" {
				t.Errorf("spec (-want +got):\n%s", diff)
			}
		})
	}
}
