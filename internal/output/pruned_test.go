package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrunedJobWarnings(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// A stateful job without savepoint-on-deletion: warned.
		"flinkdeployment-lost.yaml": "kind: FlinkDeployment\napiVersion: flink.apache.org/v1beta1\nmetadata: {name: lost, namespace: ns}\nspec: {job: {jarURI: x}}\n",
		// With it: the operator takes a savepoint first.
		"flinkdeployment-kept.yaml": "kind: FlinkDeployment\napiVersion: flink.apache.org/v1beta1\nmetadata: {name: kept, namespace: ns}\nspec: {job: {jarURI: x}, flinkConfiguration: {" + SavepointOnDeletionKey + ": \"true\"}}\n",
		// A session cluster has no job of its own.
		"flinkdeployment-session.yaml": "kind: FlinkDeployment\napiVersion: flink.apache.org/v1beta1\nmetadata: {name: session, namespace: ns}\nspec: {flinkConfiguration: {" + SavepointOnDeletionKey + ": \"true\"}}\n",
		// A session job inherits its cluster's setting.
		"flinksessionjob-inherits.yaml": "kind: FlinkSessionJob\napiVersion: flink.apache.org/v1beta1\nmetadata: {name: inherits, namespace: ns}\nspec: {deploymentName: session, job: {jarURI: x}}\n",
		"flinksessionjob-other.yaml":    "kind: FlinkSessionJob\napiVersion: flink.apache.org/v1beta1\nmetadata: {name: other, namespace: ns}\nspec: {deploymentName: elsewhere, job: {jarURI: x}}\n",
		// Still rendered: no warning.
		"flinkdeployment-stays.yaml": "kind: FlinkDeployment\napiVersion: flink.apache.org/v1beta1\nmetadata: {name: stays, namespace: ns}\nspec: {job: {jarURI: x}}\n",
	}
	folder := filepath.Join(dir, "prod", "workloads", "jobs", "ns")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(folder, name), []byte(Header+body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A file without the header is the user's: never judged.
	if err := os.WriteFile(filepath.Join(folder, "flinkdeployment-mine.yaml"), []byte(files["flinkdeployment-lost.yaml"]), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := PrunedJobWarnings(dir, "prod", Tree{"workloads/jobs/ns/flinkdeployment-stays.yaml": nil})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range got {
		names = append(names, strings.SplitN(w, " is removed", 2)[0])
	}
	want := "FlinkDeployment ns/lost,FlinkSessionJob ns/other"
	if strings.Join(names, ",") != want {
		t.Errorf("warned about %v, want %s", names, want)
	}
	if got, err := PrunedJobWarnings(dir, "staging", Tree{}); err != nil || len(got) != 0 {
		t.Errorf("an environment never rendered: %v, %v", got, err)
	}
}
