package importer

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func snapshotObject(name string, spec map[string]any) *Object {
	return &Object{File: "in.yaml", Item: -1, Data: map[string]any{
		"apiVersion": flinkAPIVersion, "kind": KindSnapshot,
		"metadata": map[string]any{"name": name, "namespace": "shop",
			"labels": map[string]any{"snapshot.state": "COMPLETED", "team": "shop"}},
		"spec":   spec,
		"status": map[string]any{"state": "COMPLETED"},
	}}
}

// TestKeepOrphanSnapshots: a snapshot naming a job goes to its job, one
// registering a savepoint without a job is kept as it is (without status
// nor operator labels), any other snapshot without a job is an error.
func TestKeepOrphanSnapshots(t *testing.T) {
	withJob := snapshotObject("orders-nightly", map[string]any{
		"jobReference": map[string]any{"kind": KindDeployment, "name": "orders"}, "checkpoint": map[string]any{}})
	registered := snapshotObject("initial", map[string]any{
		"savepoint": map[string]any{"alreadyExists": true, "path": "s3://b/sp-1"}})
	toTake := snapshotObject("adhoc", map[string]any{"savepoint": map[string]any{"path": "s3://b"}})
	nullRef := snapshotObject("null-ref", map[string]any{"jobReference": nil, "savepoint": map[string]any{"path": "s3://b"}})

	rest, kept, probs := keepOrphanSnapshots([]*Object{withJob, registered, toTake, nullRef})
	if len(rest) != 1 || rest[0] != withJob {
		t.Errorf("snapshots for their jobs: %v, want orders-nightly only", rest)
	}
	if len(kept) != 1 || kept[0].Source != registered {
		t.Fatalf("kept %v, want initial only", kept)
	}
	if kept[0].Path != "shop/flinkstatesnapshot-initial.yaml" {
		t.Errorf("path %s", kept[0].Path)
	}
	want := `apiVersion: flink.apache.org/v1beta1
kind: FlinkStateSnapshot
metadata:
  name: initial
  namespace: shop
  labels:
    team: shop
spec:
  savepoint:
    alreadyExists: true
    path: s3://b/sp-1
`
	if diff := cmp.Diff(want, string(kept[0].Data)); diff != "" {
		t.Errorf("kept file (-want +got):\n%s", diff)
	}
	var got []string
	for _, p := range probs {
		got = append(got, p.Object.Name+" "+p.Field)
	}
	if diff := cmp.Diff([]string{"adhoc spec.jobReference", "null-ref spec.jobReference"}, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestKeptPathsFree: a job whose file is a kept object's (a job named
// flinkstatesnapshot-<name>) makes the kept object an error.
func TestKeptPathsFree(t *testing.T) {
	_, kept, _ := keepOrphanSnapshots([]*Object{snapshotObject("initial", map[string]any{
		"savepoint": map[string]any{"alreadyExists": true, "path": "s3://b/sp-1"}})})
	job := &Job{Source: &Object{File: "in.yaml", Item: -1, Data: map[string]any{"kind": KindDeployment,
		"metadata": map[string]any{"name": "flinkstatesnapshot-initial", "namespace": "shop"}}},
		Path: "shop/flinkstatesnapshot-initial.yaml"}
	out, probs := keptPathsFree(kept, []*Job{job})
	if len(out) != 0 || len(probs) != 1 || !strings.Contains(probs[0].Message, "the file of FlinkDeployment shop/flinkstatesnapshot-initial") {
		t.Errorf("kept %v, problems %v", out, probs)
	}
	if out, probs := keptPathsFree(kept, nil); len(out) != 1 || len(probs) != 0 {
		t.Errorf("without a job: kept %v, problems %v", out, probs)
	}
}
