package flinkjob

import (
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/manifest"
)

// restrictedShared is a shared pod template that meets the restricted
// standard, as the built-in chart renders it.
const restrictedShared = `
  podTemplate:
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: flink-main-container
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`

const restrictedSidecar = `{allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}`

// TestPodSecurityJudgesTheOperatorsPods evaluates the pods the operator
// builds from the shared and the role templates, in both array modes.
func TestPodSecurityJudgesTheOperatorsPods(t *testing.T) {
	cases := []struct {
		name string
		spec string
		want []string // substrings, one per violation; none when empty
	}{{
		name: "shared template only",
		spec: restrictedShared,
	}, {
		name: "a restricted sidecar first in the JobManager template is merged into the main container by position",
		spec: restrictedShared + `
  jobManager:
    podTemplate:
      spec:
        containers:
        - {name: agent, image: agent:1, securityContext: ` + restrictedSidecar + `}
`,
		want: []string{
			"spec.jobManager.podTemplate.spec.containers[0] (agent) into spec.podTemplate.spec.containers[0] (flink-main-container)",
			// Flink then adds a main container of its own, without the security context.
			`spec.podTemplate with spec.jobManager.podTemplate: allowPrivilegeEscalation != false (container "flink-main-container"`,
		},
	}, {
		name: "the same sidecar merges by name with merge-arrays-by-name",
		spec: restrictedShared + `
  flinkConfiguration: {kubernetes.operator.pod-template.merge-arrays-by-name: "true"}
  jobManager:
    podTemplate:
      spec:
        containers:
        - {name: agent, image: agent:1, securityContext: ` + restrictedSidecar + `}
`,
	}, {
		name: "by name, a sidecar without a security context is judged",
		spec: restrictedShared + `
  flinkConfiguration: {kubernetes.operator.pod-template.merge-arrays-by-name: "true"}
  taskManager:
    podTemplate:
      spec:
        containers:
        - {name: agent, image: agent:1}
`,
		want: []string{`spec.podTemplate with spec.taskManager.podTemplate: allowPrivilegeEscalation != false (container "agent"`},
	}, {
		name: "by position, a role template that lists the main container first keeps it",
		spec: restrictedShared + `
  taskManager:
    podTemplate:
      spec:
        containers:
        - {name: flink-main-container, env: [{name: A, value: "1"}]}
        - {name: agent, image: agent:1, securityContext: ` + restrictedSidecar + `}
`,
	}, {
		name: "a role template that turns root on is judged",
		spec: restrictedShared + `
  taskManager:
    podTemplate:
      spec:
        securityContext: {runAsNonRoot: false}
`,
		want: []string{"spec.podTemplate with spec.taskManager.podTemplate: runAsNonRoot != true"},
	}, {
		name: "a privileged init container in the JobManager template",
		spec: restrictedShared + `
  jobManager:
    podTemplate:
      spec:
        initContainers:
        - {name: setup, image: busybox, securityContext: {privileged: true}}
`,
		want: []string{`spec.podTemplate with spec.jobManager.podTemplate: `, `privileged (container "setup"`},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, err := manifest.ParseYAML(Name, []byte("apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata: {name: j, namespace: ns}\nspec:\n"+c.spec))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(PodSecurityViolations(objs[0], "restricted", nil), "\n")
			if len(c.want) == 0 && got != "" {
				t.Fatalf("violations:\n%s", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("violations do not mention %q:\n%s", w, got)
				}
			}
		})
	}
}
