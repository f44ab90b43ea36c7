package apischema

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

const root = "../.."

// TestGeneratedFilesAreCurrent regenerates the schemas and README's
// reference from the Go types and fails when the committed ones differ:
// run make generate.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, README))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(root, readme)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Errorf("%s: %v; run make generate", name, err)
			continue
		}
		if diff := cmp.Diff(string(got), string(want)); diff != "" {
			t.Errorf("%s is stale; run make generate (-committed +generated):\n%s", name, diff)
		}
	}
}

func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, CombinedSchema))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("krm-flink.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("krm-flink.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSchemaAcceptsTheExamples: every FlinkPlatform and FlinkJobSpec of
// examples/ and of the golden render inputs is valid under the schema.
func TestSchemaAcceptsTheExamples(t *testing.T) {
	s := compile(t)
	var files []string
	for _, glob := range []string{"examples/*/*.yaml", "examples/*/*/*.yaml", "testdata/render/*/input/*.yaml", "testdata/render/*/input/*/*.yaml"} {
		m, err := filepath.Glob(filepath.Join(root, glob))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range strings.Split(string(data), "\n---") {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil || obj == nil {
				continue
			}
			if obj["apiVersion"] != "krm-flink.io/v1alpha1" {
				continue
			}
			checked++
			if err := s.Validate(toJSONValue(t, obj)); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked only %d documents", checked)
	}
}

func TestSchemaRejects(t *testing.T) {
	s := compile(t)
	for name, doc := range map[string]string{
		"unknown job field":     `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkJobSpec, metadata: {name: a}, spec: {owner: x, jarURI: job.jar, paralelism: 2}}`,
		"missing owner":         `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkJobSpec, metadata: {name: a}, spec: {jarURI: job.jar}}`,
		"config list value":     `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkJobSpec, metadata: {name: a}, spec: {owner: x, jarURI: job.jar, flinkConfiguration: {a: [1]}}}`,
		"platform without envs": `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkPlatform, metadata: {name: p}, spec: {clusterName: c, region: r}}`,
		"cpu as a quantity":     `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkJobSpec, metadata: {name: a}, spec: {owner: x, jarURI: job.jar, jobManager: {resource: {cpu: 500m}}}}`,
		// The run fields a session job shares with a job (JobRun, JobRestore, JobActions).
		"session job without jar":    `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkSessionJobSpec, metadata: {name: a}, spec: {session: s, owner: x}}`,
		"session job field misspelt": `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkSessionJobSpec, metadata: {name: a}, spec: {session: s, owner: x, jarURI: j, restartNonse: 1}}`,
		"session job nonce as text":  `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkSessionJobSpec, metadata: {name: a}, spec: {session: s, owner: x, jarURI: j, savepointTriggerNonce: one}}`,
		"job-only field on session":  `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkSessionJobSpec, metadata: {name: a}, spec: {session: s, owner: x, jarURI: j, autoscalerResetNonce: 1}}`,
		"job restore as text":        `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkJobSpec, metadata: {name: a}, spec: {owner: x, jarURI: job.jar, allowNonRestoredState: "yes"}}`,
	} {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(toJSONValue(t, obj)); err == nil {
			t.Errorf("%s: valid under the schema", name)
		}
	}
	for name, doc := range map[string]string{
		"numbers, booleans and nested flinkConfiguration": `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkJobSpec, metadata: {name: a}, spec: {owner: x, jarURI: job.jar, flinkConfiguration: {a: 1, b: true, c: {d: e}}}}`,
		"session cluster without jar":                     `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkSessionSpec, metadata: {name: a}, spec: {owner: x}}`,
		"every run field of a session job": `{apiVersion: krm-flink.io/v1alpha1, kind: FlinkSessionJobSpec, metadata: {name: a}, spec: {session: s, owner: x, jarURI: j, entryClass: c, args: [a],
			parallelism: 2, upgradeMode: savepoint, state: suspended, initialSavepointPath: p, allowNonRestoredState: true,
			restartNonce: 1, savepointTriggerNonce: 2, checkpointTriggerNonce: 3, savepointRedeployNonce: 4}}`,
	} {
		var ok map[string]any
		if err := yaml.Unmarshal([]byte(doc), &ok); err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(toJSONValue(t, ok)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// toJSONValue turns YAML-decoded data into what the validator takes.
func toJSONValue(t *testing.T, v any) any {
	data, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return out
}
