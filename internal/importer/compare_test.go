package importer

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

func obj(t *testing.T, y string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(y), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

type diffLine struct {
	Path string
	Kind DiffKind
	Lost bool
}

func lines(ds []Difference) []diffLine {
	out := []diffLine{}
	for _, d := range ds {
		out = append(out, diffLine{d.Path, d.Kind, d.Lost()})
	}
	return out
}

func TestCompare(t *testing.T) {
	const base = `
metadata: {name: j, namespace: n}
spec:
  job: {jarURI: local:///j.jar, parallelism: 2}
`
	tests := []struct {
		name               string
		original, rendered string
		want               []diffLine
	}{
		{
			name:     "equal",
			original: base, rendered: base,
			want: []diffLine{},
		},
		{
			name: "server-set metadata, status and operator annotations are ignored",
			original: `
metadata:
  name: j
  namespace: n
  uid: x
  resourceVersion: "1"
  generation: 3
  creationTimestamp: "2026-01-01T00:00:00Z"
  finalizers: [flinkdeployments.flink.apache.org/finalizer]
  managedFields: [{manager: kubectl}]
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: "{}"
    flink.apache.org/anything: "x"
spec:
  job: {jarURI: local:///j.jar, parallelism: 2}
status: {lifecycleState: STABLE}
`,
			rendered: base,
			want:     []diffLine{},
		},
		{
			name:     "the operator's defaults equal an unset field",
			original: base,
			rendered: `
metadata: {name: j, namespace: n}
spec:
  jobManager: {replicas: 1}
  job: {jarURI: local:///j.jar, parallelism: 2, upgradeMode: stateless, state: running}
`,
			want: []diffLine{},
		},
		{
			name: "flinkConfiguration compares flat, as text",
			original: `
metadata: {name: j, namespace: n}
spec:
  flinkConfiguration:
    taskmanager.numberOfTaskSlots: 2
    state: {backend.type: rocksdb}
    pipeline.classpaths: [a.jar, b.jar]
  job: {jarURI: local:///j.jar, parallelism: 2}
`,
			rendered: `
metadata: {name: j, namespace: n}
spec:
  flinkConfiguration:
    taskmanager.numberOfTaskSlots: "2"
    state.backend.type: rocksdb
    pipeline.classpaths: a.jar;b.jar
  job: {jarURI: local:///j.jar, parallelism: 2}
`,
			want: []diffLine{},
		},
		{
			name:     "documented additions are not lost",
			original: base,
			rendered: `
metadata:
  name: j
  namespace: n
  labels: {app.kubernetes.io/managed-by: krm-flink, app.kubernetes.io/part-of: flink, krm-flink.io/owner: o}
  annotations: {argocd.argoproj.io/sync-wave: "1"}
spec:
  flinkConfiguration: {metrics.reporter.prom.port: "9999"}
  podTemplate:
    metadata:
      annotations: {ad.datadoghq.com/tags: "{}", configmap.reloader.stakater.com/reload: flink-config-j}
    spec:
      nodeSelector: {krm-flink.io/nodepool: n.j}
      tolerations: [{key: krm-flink.io/nodepool, operator: Equal, value: n.j, effect: NoSchedule}]
      securityContext: {runAsUser: 9999}
      containers:
        - name: flink-main-container
          ports: [{name: metrics, containerPort: 9999}]
  job: {jarURI: local:///j.jar, parallelism: 2}
`,
			want: []diffLine{
				{"metadata.annotations[argocd.argoproj.io/sync-wave]", Addition, false},
				{"metadata.labels[app.kubernetes.io/managed-by]", Addition, false},
				{"metadata.labels[app.kubernetes.io/part-of]", Addition, false},
				{"metadata.labels[krm-flink.io/owner]", Addition, false},
				{"spec.flinkConfiguration[metrics.reporter.prom.port]", Addition, false},
				{"spec.podTemplate.metadata.annotations[ad.datadoghq.com/tags]", Addition, false},
				{"spec.podTemplate.metadata.annotations[configmap.reloader.stakater.com/reload]", Addition, false},
				{"spec.podTemplate.spec.containers[flink-main-container].ports[metrics].containerPort", Addition, false},
				{"spec.podTemplate.spec.nodeSelector[krm-flink.io/nodepool]", Addition, false},
				{"spec.podTemplate.spec.securityContext.runAsUser", Addition, false},
				{"spec.podTemplate.spec.tolerations[0]", Addition, false},
			},
		},
		{
			name: "what krm-flink cannot express is lost",
			original: `
metadata: {name: j, namespace: n, ownerReferences: [{name: x}]}
spec:
  mode: standalone
  ingress: {template: "x"}
  podTemplate:
    spec:
      containers:
        - {name: flink-main-container, volumeMounts: [{name: v, mountPath: /v}]}
        - {name: sidecar, image: s:1}
      tolerations: [{key: dedicated, operator: Exists}]
  job: {jarURI: local:///j.jar, parallelism: 2}
`,
			rendered: `
metadata: {name: j, namespace: n}
spec:
  podTemplate:
    spec:
      tolerations: [{key: krm-flink.io/nodepool, operator: Equal, value: n.j, effect: NoSchedule}]
  job: {jarURI: local:///j.jar, parallelism: 2}
`,
			want: []diffLine{
				{"metadata.ownerReferences[x]", Removed, true},
				{"spec.ingress.template", Removed, true},
				{"spec.mode", Removed, true},
				{"spec.podTemplate.spec.containers[flink-main-container].volumeMounts[v].mountPath", Removed, true},
				{"spec.podTemplate.spec.containers[sidecar].image", Removed, true},
				{"spec.podTemplate.spec.tolerations[0]", Removed, true},
				{"spec.podTemplate.spec.tolerations[0]", Addition, false},
			},
		},
		{
			name: "a platform-owned field replaced: a loss in spec, unless the same JSON; not in metadata",
			original: `
metadata: {name: j, namespace: n, labels: {app.kubernetes.io/managed-by: Helm}}
spec:
  podTemplate:
    metadata:
      annotations: {ad.datadoghq.com/tags: '{"b":"2","a":"1"}', configmap.reloader.stakater.com/reload: other}
    spec:
      securityContext: {runAsUser: 0}
  job: {jarURI: local:///j.jar, parallelism: 2}
`,
			rendered: `
metadata: {name: j, namespace: n, labels: {app.kubernetes.io/managed-by: krm-flink}}
spec:
  podTemplate:
    metadata:
      annotations: {ad.datadoghq.com/tags: '{"a":"1","b":"2"}', configmap.reloader.stakater.com/reload: flink-config-j}
    spec:
      securityContext: {runAsUser: 9999}
  job: {jarURI: local:///j.jar, parallelism: 2}
`,
			want: []diffLine{
				{"metadata.labels[app.kubernetes.io/managed-by]", Replaced, false},
				{"spec.podTemplate.metadata.annotations[ad.datadoghq.com/tags]", Replaced, false},
				{"spec.podTemplate.metadata.annotations[configmap.reloader.stakater.com/reload]", Replaced, true},
				{"spec.podTemplate.spec.securityContext.runAsUser", Replaced, true},
			},
		},
		{
			name:     "a field krm-flink adds that the original leaves unset is lost",
			original: base,
			rendered: `
metadata: {name: j, namespace: n}
spec:
  serviceAccount: flink
  flinkConfiguration: {state.backend.type: rocksdb}
  job: {jarURI: local:///j.jar, parallelism: 3}
`,
			want: []diffLine{
				{"spec.flinkConfiguration[state.backend.type]", Added, true},
				{"spec.job.parallelism", Changed, true},
				{"spec.serviceAccount", Added, true},
			},
		},
		{
			name:     "pod labels are additions only when copied from the object's labels",
			original: `{metadata: {name: j, namespace: n, labels: {team: a}}, spec: {job: {jarURI: x, parallelism: 1}}}`,
			rendered: `{metadata: {name: j, namespace: n, labels: {team: a}}, spec: {podTemplate: {metadata: {labels: {team: a, other: b}}}, job: {jarURI: x, parallelism: 1}}}`,
			want: []diffLine{
				{"spec.podTemplate.metadata.labels[other]", Added, true},
				{"spec.podTemplate.metadata.labels[team]", Addition, false},
			},
		},
		{
			name: "a blue/green template is compared as a FlinkDeployment, its other fields as they are",
			original: `
kind: FlinkBlueGreenDeployment
metadata: {name: j, namespace: n}
spec:
  configuration: {kubernetes.operator.bluegreen.deployment-deletion.delay: 30s}
  template:
    metadata: {labels: {a: b}}
    spec:
      flinkConfiguration: {state: {backend.type: rocksdb}}
      job: {jarURI: local:///j.jar, parallelism: 2}
`,
			rendered: `
kind: FlinkBlueGreenDeployment
metadata: {name: j, namespace: n}
spec:
  configuration: {kubernetes.operator.bluegreen.deployment-deletion.delay: 1m}
  template:
    spec:
      flinkConfiguration: {state.backend.type: rocksdb, metrics.reporter.prom.port: "9999"}
      jobManager: {replicas: 1}
      job: {jarURI: local:///j.jar, parallelism: 2, upgradeMode: stateless}
`,
			want: []diffLine{
				{"spec.configuration[kubernetes.operator.bluegreen.deployment-deletion.delay]", Changed, true},
				{"spec.template.metadata.labels[a]", Removed, true},
				{"spec.template.spec.flinkConfiguration[metrics.reporter.prom.port]", Addition, false},
			},
		},
		{
			name: "a session job has the job's defaults and a flat configuration",
			original: `
kind: FlinkSessionJob
metadata: {name: j, namespace: n}
spec:
  deploymentName: s
  flinkConfiguration: {pipeline: {name: x}}
  job: {jarURI: local:///j.jar, parallelism: 2}
`,
			rendered: `
kind: FlinkSessionJob
metadata: {name: j, namespace: n}
spec:
  deploymentName: s
  flinkConfiguration: {pipeline.name: x}
  job: {jarURI: local:///j.jar, parallelism: 2, upgradeMode: stateless, state: running}
`,
			want: []diffLine{},
		},
		{
			name: "a snapshot is compared as it is",
			original: `
kind: FlinkStateSnapshot
metadata: {name: j-s, namespace: n, annotations: {note: x}}
spec:
  jobReference: {kind: FlinkDeployment, name: j}
  savepoint: {}
`,
			rendered: `
kind: FlinkStateSnapshot
metadata: {name: j-s, namespace: n, labels: {app.kubernetes.io/name: j}}
spec:
  jobReference: {kind: FlinkDeployment, name: j}
  savepoint: {}
`,
			want: []diffLine{
				{"metadata.annotations[note]", Removed, true},
				{"metadata.labels[app.kubernetes.io/name]", Addition, false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lines(Compare(obj(t, tt.original), obj(t, tt.rendered)))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestCompareReadsNumbersAsWritten: a number read with json.Number (as
// import reads files) equals the same number decoded as int64 or float64
// (as a rendered object holds it).
func TestCompareReadsNumbersAsWritten(t *testing.T) {
	orig, err := decode([]byte(`{"metadata":{"name":"j","namespace":"n"},"spec":{"jobManager":{"resource":{"cpu":1}},"job":{"jarURI":"x","parallelism":2}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := orig["spec"].(map[string]any)["job"].(map[string]any)["parallelism"].(json.Number); !ok {
		t.Fatal("decode did not keep the number as written")
	}
	rendered := map[string]any{
		"metadata": map[string]any{"name": "j", "namespace": "n"},
		"spec": map[string]any{
			"jobManager": map[string]any{"resource": map[string]any{"cpu": float64(1)}},
			"job":        map[string]any{"jarURI": "x", "parallelism": int64(2)},
		},
	}
	if got := Compare(orig, rendered); len(got) != 0 {
		t.Errorf("want no difference, got %+v", got)
	}
}

func TestFormatPath(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{[]string{"spec", "job", "jarURI"}, "spec.job.jarURI"},
		{[]string{"spec", "flinkConfiguration", "state.backend.type"}, "spec.flinkConfiguration[state.backend.type]"},
		{[]string{"metadata", "labels", "team"}, "metadata.labels[team]"},
		{[]string{"spec", "podTemplate", "spec", "containers", "[main]", "ports", "[0]"}, "spec.podTemplate.spec.containers[main].ports[0]"},
		{[]string{"spec", "ingress", "annotations", "a/b"}, "spec.ingress.annotations[a/b]"},
	} {
		if got := formatPath(tt.in); got != tt.want {
			t.Errorf("formatPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNormalizePodTemplates: the operator ignores the apiVersion and kind
// a pod template written as a Pod carries, in all three places.
func TestNormalizePodTemplates(t *testing.T) {
	got := Normalize(obj(t, `
apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata: {name: j, namespace: n}
spec:
  podTemplate: {apiVersion: v1, kind: Pod, metadata: {name: pod-template}}
  jobManager: {replicas: 1, podTemplate: {apiVersion: v1, kind: Pod, spec: {priorityClassName: p}}}
  taskManager: {podTemplate: {kind: Pod}}
  job: {jarURI: x, upgradeMode: stateless, state: running}
`))
	want := obj(t, `
metadata: {name: j, namespace: n}
spec:
  podTemplate: {metadata: {name: pod-template}}
  jobManager: {replicas: 1, podTemplate: {spec: {priorityClassName: p}}}
  taskManager: {podTemplate: {}}
  job: {jarURI: x, upgradeMode: stateless, state: running}
`)
	if diff := cmp.Diff(canonical(want), got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
