package flinkjob

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

func yamlMap(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestOperatorMerge holds operatorMerge to the operator's
// FlinkUtils.mergePodTemplates, in both array modes; the expected pods are
// worked out by hand from the operator's rules.
func TestOperatorMerge(t *testing.T) {
	shared := `
spec:
  containers:
  - {name: flink-main-container, ports: [{name: metrics, containerPort: 9999}]}
  - {name: log-shipper, image: fluent-bit}
  volumes:
  - {name: logs, emptyDir: {}}
  tolerations:
  - {key: pool, operator: Equal, value: a, effect: NoSchedule}
  nodeSelector: {pool: a}
  args: [x, y]
`
	cases := []struct {
		name, top string
		byName    bool
		want      string
		renamed   []renamed
	}{{
		name: "a sidecar first merges into the main container by position",
		top:  "spec: {containers: [{name: agent, image: agent:1}]}",
		want: `
spec:
  containers:
  - {name: agent, image: agent:1, ports: [{name: metrics, containerPort: 9999}]}
  - {name: log-shipper, image: fluent-bit}
  volumes: [{name: logs, emptyDir: {}}]
  tolerations: [{key: pool, operator: Equal, value: a, effect: NoSchedule}]
  nodeSelector: {pool: a}
  args: [x, y]
`,
		renamed: []renamed{{path: "spec.containers", index: 0, base: "flink-main-container", top: "agent"}},
	}, {
		name:   "by name, a sidecar is appended",
		top:    "spec: {containers: [{name: agent, image: agent:1}]}",
		byName: true,
		want: `
spec:
  containers:
  - {name: flink-main-container, ports: [{name: metrics, containerPort: 9999}]}
  - {name: log-shipper, image: fluent-bit}
  - {name: agent, image: agent:1}
  volumes: [{name: logs, emptyDir: {}}]
  tolerations: [{key: pool, operator: Equal, value: a, effect: NoSchedule}]
  nodeSelector: {pool: a}
  args: [x, y]
`,
	}, {
		name: "by position, same order merges item by item and appends the rest",
		top: `
spec:
  containers:
  - {name: flink-main-container, env: [{name: A, value: "1"}]}
  - {name: log-shipper, image: fluent-bit:2}
  - {name: agent}
  volumes: [{name: logs, emptyDir: {medium: Memory}}, {name: cache, emptyDir: {}}]
`,
		want: `
spec:
  containers:
  - {name: flink-main-container, ports: [{name: metrics, containerPort: 9999}], env: [{name: A, value: "1"}]}
  - {name: log-shipper, image: "fluent-bit:2"}
  - {name: agent}
  volumes: [{name: logs, emptyDir: {medium: Memory}}, {name: cache, emptyDir: {}}]
  tolerations: [{key: pool, operator: Equal, value: a, effect: NoSchedule}]
  nodeSelector: {pool: a}
  args: [x, y]
`,
	}, {
		name: "unnamed items merge by position in both modes: a toleration's keys replace field by field",
		top:  "spec: {tolerations: [{key: other, operator: Exists}]}",
		want: `
spec:
  containers:
  - {name: flink-main-container, ports: [{name: metrics, containerPort: 9999}]}
  - {name: log-shipper, image: fluent-bit}
  volumes: [{name: logs, emptyDir: {}}]
  tolerations: [{key: other, operator: Exists, value: a, effect: NoSchedule}]
  nodeSelector: {pool: a}
  args: [x, y]
`,
	}, {
		name:   "unnamed items merge by position with byName too",
		byName: true,
		top:    "spec: {tolerations: [{key: other, operator: Exists}]}",
		want: `
spec:
  containers:
  - {name: flink-main-container, ports: [{name: metrics, containerPort: 9999}]}
  - {name: log-shipper, image: fluent-bit}
  volumes: [{name: logs, emptyDir: {}}]
  tolerations: [{key: other, operator: Exists, value: a, effect: NoSchedule}]
  nodeSelector: {pool: a}
  args: [x, y]
`,
	}, {
		name: "strings at a shared position keep the shared value; extra ones are appended",
		top:  "spec: {args: [z], nodeSelector: {pool: b, zone: c}}",
		want: `
spec:
  containers:
  - {name: flink-main-container, ports: [{name: metrics, containerPort: 9999}]}
  - {name: log-shipper, image: fluent-bit}
  volumes: [{name: logs, emptyDir: {}}]
  tolerations: [{key: pool, operator: Equal, value: a, effect: NoSchedule}]
  nodeSelector: {pool: b, zone: c}
  args: [x, y]
`,
	}, {
		name: "a scalar over an object leaves the object; a list over a scalar replaces it",
		top:  "spec: {nodeSelector: gone, hostname: [a]}",
		want: `
spec:
  containers:
  - {name: flink-main-container, ports: [{name: metrics, containerPort: 9999}]}
  - {name: log-shipper, image: fluent-bit}
  volumes: [{name: logs, emptyDir: {}}]
  tolerations: [{key: pool, operator: Equal, value: a, effect: NoSchedule}]
  nodeSelector: {pool: a}
  args: [x, y]
  hostname: [a]
`,
	}, {
		name:   "by name, a name given twice keeps its first place and its last item",
		byName: true,
		top:    "spec: {volumes: [{name: cache, emptyDir: {}}, {name: logs, emptyDir: {medium: Memory}}, {name: cache, secret: {secretName: s}}]}",
		want: `
spec:
  containers:
  - {name: flink-main-container, ports: [{name: metrics, containerPort: 9999}]}
  - {name: log-shipper, image: fluent-bit}
  volumes: [{name: logs, emptyDir: {medium: Memory}}, {name: cache, secret: {secretName: s}}]
  tolerations: [{key: pool, operator: Equal, value: a, effect: NoSchedule}]
  nodeSelector: {pool: a}
  args: [x, y]
`,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := yamlMap(t, shared)
			before := yamlMap(t, shared)
			got, merged := operatorMerge(base, yamlMap(t, c.top), c.byName)
			if diff := cmp.Diff(yamlMap(t, c.want), got); diff != "" {
				t.Errorf("merged pod (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.renamed, merged, cmp.AllowUnexported(renamed{})); diff != "" {
				t.Errorf("renamed (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, base); diff != "" {
				t.Errorf("the shared template changed:\n%s", diff)
			}
		})
	}
}

func TestMergesByName(t *testing.T) {
	cases := []struct {
		deployment, operator map[string]string
		want                 bool
	}{
		{nil, nil, false},
		{map[string]string{MergeArraysByNameKey: "true"}, nil, true},
		{map[string]string{MergeArraysByNameKey: "TRUE"}, nil, true},
		{nil, map[string]string{MergeArraysByNameKey: "true"}, true},
		{map[string]string{MergeArraysByNameKey: "false"}, map[string]string{MergeArraysByNameKey: "true"}, false},
	}
	for _, c := range cases {
		if got := mergesByName(c.deployment, c.operator); got != c.want {
			t.Errorf("mergesByName(%v, %v) = %v, want %v", c.deployment, c.operator, got, c.want)
		}
	}
}
