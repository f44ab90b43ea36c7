package importer

// operatorSnapshotLabels are the labels the Flink operator (1.10+) puts on
// every FlinkStateSnapshot it reconciles, to select them by type, trigger,
// state and job; it sets them again whatever Git holds, so import ignores
// them as it ignores the operator's annotations.
var operatorSnapshotLabels = []string{
	"snapshot.type", "snapshot.trigger-type", "snapshot.state", "job-reference.kind", "job-reference.name",
}

// operatorTriggers are the snapshot.trigger-type values of the snapshots
// the operator takes on its own: periodic savepoints and checkpoints
// (kubernetes.operator.periodic.*.interval) and the savepoint of a
// stateful upgrade. The operator also deletes them, per its snapshot
// history settings: declared in Git, they would be created again.
var operatorTriggers = map[string]bool{"PERIODIC": true, "UPGRADE": true}

// withoutOperatorLabels drops the operator's labels from a
// FlinkStateSnapshot's normalized metadata.
func withoutOperatorLabels(meta map[string]any) {
	labels, ok := meta["labels"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range operatorSnapshotLabels {
		delete(labels, k)
	}
	if len(labels) == 0 {
		delete(meta, "labels")
	}
}

// takenByOperator is the trigger of a FlinkStateSnapshot the operator
// took on its own (PERIODIC, UPGRADE), or "".
func takenByOperator(m map[string]any) string {
	labels, _ := metadata(m)["labels"].(map[string]any)
	if trigger, _ := labels["snapshot.trigger-type"].(string); operatorTriggers[trigger] {
		return trigger
	}
	return ""
}
