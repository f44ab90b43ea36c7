package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/planner"
)

// testPlatform is the platform the CLI's import goldens render with.
const testPlatform = "../../testdata/import/platform.yaml"

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const job = `apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata: {name: %s, namespace: %s, labels: {krm-flink.io/owner: team}}
spec:
  image: flink:1.18
  flinkVersion: v1_18
  serviceAccount: flink
  flinkConfiguration: {state.backend.type: rocksdb}
  jobManager: {resource: {cpu: 1, memory: 2048m}}
  taskManager: {resource: {cpu: 1, memory: 2048m}}
  job: {jarURI: local:///j.jar, parallelism: 1}
`

func jobYAML(name, namespace string) string {
	return strings.NewReplacer("%s, namespace: %s", name+", namespace: "+namespace).Replace(job)
}

func TestRead(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"list.yaml": "apiVersion: v1\nkind: List\nitems:\n" + indent(jobYAML("a", "x")) + indent("apiVersion: flink.apache.org/v1beta1\nkind: FlinkSessionJob\nmetadata: {name: s, namespace: x}\n") + indent("apiVersion: flink.apache.org/v1beta1\nkind: FlinkCluster\nmetadata: {name: u, namespace: x}\n"),
		"b.yaml":    jobYAML("b", "") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\n",
		"dup.yaml":  jobYAML("a", "x"),
		"old.yaml":  strings.Replace(jobYAML("c", "x"), "v1beta1", "v1alpha1", 1),
	})
	objs, probs := Read([]string{dir}, "defaulted")
	var names []string
	for _, o := range objs {
		names = append(names, o.Namespace()+"/"+o.Name())
	}
	if diff := cmp.Diff([]string{"defaulted/b", "x/a", "x/s"}, names); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	var got []string
	probs.Sort()
	for _, p := range probs {
		got = append(got, strings.ReplaceAll(p.String(), dir+"/", ""))
	}
	want := []string{
		"warning: b.yaml: ConfigMap x/c: skipped: not a Flink operator object (v1)",
		"list.yaml (items[0]): FlinkDeployment x/a: metadata.name: defined twice: also in dup.yaml",
		"list.yaml (items[2]): FlinkCluster x/u: kind: unknown Flink operator kind FlinkCluster",
		"old.yaml: FlinkDeployment x/c: apiVersion: unsupported apiVersion flink.apache.org/v1alpha1: import reads flink.apache.org/v1beta1",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}

	_, probs = Read([]string{filepath.Join(dir, "b.yaml")}, "")
	if !probs.HasErrors() || !strings.Contains(probs.Error(), "metadata.namespace: required") {
		t.Errorf("an object without a namespace and no --namespace: want an error, got %v", probs)
	}
}

func indent(doc string) string {
	var b strings.Builder
	for i, l := range strings.Split(strings.TrimSuffix(doc, "\n"), "\n") {
		if i == 0 {
			b.WriteString("- " + l + "\n")
		} else {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

func ptr[T any](v T) *T { return &v }

func TestMinimize(t *testing.T) {
	p := &api.PlatformSpec{Flink: api.FlinkDefaults{
		ClusterSettings: api.ClusterSettings{Image: "flink:1.18", FlinkVersion: "v1_18"},
		JobManager:      &api.ProcessSpec{Resource: &api.Resource{CPU: ptr(1.0), Memory: "2g"}},
		TaskManager:     &api.ProcessSpec{Replicas: ptr(int32(2)), Resource: &api.Resource{CPU: ptr(1.0), Memory: "2g"}},
		TaskSlots:       ptr(int32(2)),
	}}
	s := &api.JobFields{
		ClusterSettings: api.ClusterSettings{Image: "flink:1.18", FlinkVersion: "v1_19", ServiceAccount: &api.ServiceAccountRef{Name: "flink"}},
		JobRun:          api.JobRun{UpgradeMode: "stateless", State: "running", Parallelism: ptr(int32(1))},
		TaskSlots:       ptr(int32(2)),
		JobManager:      &api.ProcessSpec{Replicas: ptr(int32(1)), Resource: &api.Resource{CPU: ptr(1.0), Memory: "2g"}},
		TaskManager:     &api.ProcessSpec{Replicas: ptr(int32(2)), Resource: &api.Resource{CPU: ptr(2.0), Memory: "2g"}},
	}
	minimize(s, p)
	want := &api.JobFields{
		ClusterSettings: api.ClusterSettings{FlinkVersion: "v1_19"},
		TaskManager:     &api.ProcessSpec{Resource: &api.Resource{CPU: ptr(2.0)}},
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMapConfiguration(t *testing.T) {
	p := &api.PlatformSpec{Flink: api.FlinkDefaults{FlinkConfiguration: map[string]string{
		"state.backend.type": "rocksdb", "taskmanager.numberOfTaskSlots": "2", "job.autoscaler.metrics.window": "5m",
	}}}
	for _, tt := range []struct {
		name string
		conf map[string]string
		want map[string]any
	}{
		{"platform values and the reporter leave", map[string]string{
			"state.backend.type": "rocksdb", "taskmanager.numberOfTaskSlots": "2",
			"metrics.reporter.prom.port": "9999", "metrics.reporter.prom.factory.class": "x",
		}, map[string]any{}},
		{"other values stay; task slots become taskSlots", map[string]string{
			"state.backend.type": "hashmap", "taskmanager.numberOfTaskSlots": "4",
		}, map[string]any{"taskSlots": 4, "flinkConfiguration": map[string]string{"state.backend.type": "hashmap"}}},
		{"task slots that are not a number stay", map[string]string{"taskmanager.numberOfTaskSlots": "four"},
			map[string]any{"flinkConfiguration": map[string]string{"taskmanager.numberOfTaskSlots": "four"}}},
		{"an enabled autoscaler becomes autoscaler", map[string]string{
			"job.autoscaler.enabled": "true", "job.autoscaler.target.utilization": "0.6", "job.autoscaler.metrics.window": "5m",
		}, map[string]any{"autoscaler": map[string]any{"enabled": true, "settings": map[string]string{"target.utilization": "0.6"}}}},
		{"a disabled autoscaler's keys stay", map[string]string{"job.autoscaler.enabled": "false", "job.autoscaler.target.utilization": "0.6"},
			map[string]any{"flinkConfiguration": map[string]string{"job.autoscaler.enabled": "false", "job.autoscaler.target.utilization": "0.6"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]any{}
			mapConfiguration(tt.conf, fields, p)
			if diff := cmp.Diff(tt.want, fields); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestImportIsDeterministic: the same objects give the same bytes
// whatever order the files are named in.
func TestImportIsDeterministic(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.yaml": jobYAML("alpha", "team-a"),
		"b.yaml": jobYAML("beta", "team-b") + "---\n" + jobYAML("gamma", "team-a"),
	})
	a, b := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml")
	first, err := Import(Options{Files: []string{a, b}, Platform: testPlatform, Env: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := Import(Options{Files: []string{b, a}, Platform: testPlatform, Env: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Jobs) != 3 {
		t.Fatalf("want 3 jobs, got %d", len(first.Jobs))
	}
	for i := range first.Jobs {
		if first.Jobs[i].Path != second.Jobs[i].Path || !bytes.Equal(first.Jobs[i].Data, second.Jobs[i].Data) {
			t.Errorf("job %d differs between runs: %s vs %s", i, first.Jobs[i].Path, second.Jobs[i].Path)
		}
	}
	want := "apiVersion: krm-flink.io/v1alpha1\nkind: FlinkJobSpec\nmetadata:\n  name: alpha\n  namespace: team-a\nspec:\n  owner: team\n  jarURI: local:///j.jar\n"
	if got := string(first.Jobs[0].Data); got != want {
		t.Errorf("a job equal to the platform's defaults imports as\n%s\nwant\n%s", got, want)
	}
}

func TestPlan(t *testing.T) {
	original := obj(t, `
apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata: {name: j, namespace: n}
spec:
  flinkConfiguration: {state.checkpoints.dir: s3://b/c}
  job: {jarURI: x, parallelism: 2, upgradeMode: savepoint}
`)
	for _, tt := range []struct {
		name     string
		rendered string
		want     planner.Risk
		action   string
	}{
		{"metadata only", `{metadata: {name: j, namespace: n, labels: {a: b}}, spec: {flinkConfiguration: {state.checkpoints.dir: "s3://b/c"}, job: {jarURI: x, parallelism: 2, upgradeMode: savepoint}}}`,
			planner.Safe, "no restart: only fields the operator ignores"},
		{"the pod template", `{metadata: {name: j, namespace: n}, spec: {podTemplate: {metadata: {annotations: {a: b}}}, flinkConfiguration: {state.checkpoints.dir: "s3://b/c"}, job: {jarURI: x, parallelism: 2, upgradeMode: savepoint}}}`,
			planner.Restart, "upgrade (savepoint)"},
		{"unchanged", `{metadata: {name: j, namespace: n}, spec: {flinkConfiguration: {state.checkpoints.dir: "s3://b/c"}, job: {jarURI: x, parallelism: 2, upgradeMode: savepoint, state: running}}}`,
			planner.Safe, "no change"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Plan(original, obj(t, tt.rendered))
			if err != nil {
				t.Fatal(err)
			}
			if c.Risk != tt.want || c.Actions[0] != tt.action {
				t.Errorf("got %s %q, want %s %q", c.Risk, c.Actions, tt.want, tt.action)
			}
		})
	}
}

func TestSharedSettings(t *testing.T) {
	mk := func(image string, conf map[string]string) *Job {
		return &Job{Spec: &api.FlinkJobSpec{Spec: api.JobSpec{JobFields: api.JobFields{Owner: "o", JobRun: api.JobRun{JarURI: "x"}, ClusterSettings: api.ClusterSettings{Image: image}, FlinkConfiguration: conf}}}}
	}
	jobs := []*Job{
		mk("img:1", map[string]string{"a.b": "1"}),
		mk("img:1", map[string]string{"a.b": "1"}),
		mk("img:2", map[string]string{"a.b": "1"}),
	}
	want := []Shared{{Field: "flinkConfiguration[a.b]", Value: "1", Jobs: 3}, {Field: "image", Value: "img:1", Jobs: 2}}
	if diff := cmp.Diff(want, SharedSettings(jobs)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := SharedSettings(jobs[:1]); len(got) != 0 {
		t.Errorf("one job shares nothing, got %v", got)
	}
}

// TestWithoutPlatformParts: what a pod template keeps once the parts the
// platform renders into every job are taken out (for the job's own
// podTemplate field): karpenter.sh/do-not-disrupt is nodes.doNotDisrupt,
// apiVersion and kind are normalized away, a security context keeps what
// differs from the restricted one.
func TestWithoutPlatformParts(t *testing.T) {
	norm := Normalize(obj(t, `
metadata: {name: j, namespace: n, labels: {team: web}}
spec:
  podTemplate:
    apiVersion: v1
    kind: Pod
    metadata:
      labels: {team: web, app: x}
      annotations:
        karpenter.sh/do-not-disrupt: "true"
        ad.datadoghq.com/tags: "{}"
        configmap.reloader.stakater.com/reload: flink-config-j
        example.com/own: "y"
    spec:
      securityContext: {runAsUser: 9999, fsGroup: 9999, runAsGroup: 0}
      nodeSelector: {krm-flink.io/nodepool: n.j, disk: ssd}
      tolerations:
        - {key: krm-flink.io/nodepool, operator: Equal, value: n.j, effect: NoSchedule}
        - {key: dedicated, operator: Exists}
      containers:
        - name: flink-main-container
          ports: [{name: metrics, containerPort: 9999}, {name: debug, containerPort: 5005}]
          securityContext: {runAsNonRoot: true, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}
          volumeMounts: [{name: v, mountPath: /v}]
        - {name: sidecar, image: s:1}
      volumes: [{name: v, emptyDir: {}}]
  job: {jarURI: x}
`))
	want := obj(t, `
metadata:
  labels: {app: x}
  annotations: {example.com/own: "y"}
spec:
  securityContext: {runAsGroup: 0}
  nodeSelector: {disk: ssd}
  tolerations: [{key: dedicated, operator: Exists}]
  containers:
    - name: flink-main-container
      ports: [{name: debug, containerPort: 5005}]
      securityContext: {readOnlyRootFilesystem: true}
      volumeMounts: [{name: v, mountPath: /v}]
    - {name: sidecar, image: s:1}
  volumes: [{name: v, emptyDir: {}}]
`)
	got := withoutPlatformParts(norm["spec"].(map[string]any)["podTemplate"], norm)
	if diff := cmp.Diff(canonical(want), got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	onlyPlatform := Normalize(obj(t, `{metadata: {name: j, namespace: n}, spec: {podTemplate: {spec: {containers: [{name: flink-main-container, ports: [{name: metrics, containerPort: 9999}]}]}}}}`))
	if got := withoutPlatformParts(onlyPlatform["spec"].(map[string]any)["podTemplate"], onlyPlatform); got != nil {
		t.Errorf("a pod template of platform parts only: want nil, got %v", got)
	}
}
