package planner

import (
	"fmt"
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/output"
)

func fpath(s string) fieldPath {
	var p fieldPath
	for _, seg := range strings.Split(s, "|") {
		p = append(p, seg)
	}
	return p
}

// TestFieldRules checks every rule of fieldRules, by name, in both modes.
func TestFieldRules(t *testing.T) {
	native, standalone := jobFacts{}, jobFacts{standalone: true}
	tests := []struct {
		rule    string
		field   string
		removed bool
		facts   jobFacts
		want    diffType
	}{
		{"job-ignored", "spec|job|savepointTriggerNonce", false, native, diffIgnore},
		{"job-ignored", "spec|job|checkpointTriggerNonce", false, native, diffIgnore},
		{"job-ignored", "spec|job|initialSavepointPath", false, native, diffIgnore},
		{"job-ignored", "spec|job|upgradeMode", false, native, diffIgnore},
		{"job-ignored", "spec|job|allowNonRestoredState", false, native, diffIgnore},
		{"job-ignored", "spec|job|autoscalerResetNonce", false, native, diffIgnore},
		{"config-ignored", "spec|flinkConfiguration|job.autoscaler.enabled", false, native, diffIgnore},
		{"config-ignored", "spec|flinkConfiguration|parallelism.default", false, native, diffIgnore},
		{"config-ignored", "spec|flinkConfiguration|kubernetes.operator.job.savepoint-on-deletion", false, native, diffIgnore},
		{"config-parallelism-overrides", "spec|flinkConfiguration|pipeline.jobvertex-parallelism-overrides", false, native, diffScale},
		{"config-parallelism-overrides", "spec|flinkConfiguration|pipeline.jobvertex-parallelism-overrides", false, standalone, diffUpgrade},
		{"standalone-scale", "spec|job|parallelism", false, standalone, diffScale},
		{"standalone-scale", "spec|taskManager|replicas", false, standalone, diffScale},
		{"standalone-scale", "spec|job|parallelism", false, native, diffUpgrade},
		{"standalone-scale", "spec|taskManager|replicas", false, native, diffUpgrade},
		{"savepoint-redeploy", "spec|job|savepointRedeployNonce", false, native, diffSavepointRedeploy},
		{"savepoint-redeploy", "spec|job|savepointRedeployNonce", true, native, diffIgnore},
		{"restart-nonce", "spec|restartNonce", false, native, diffUpgrade},
		{"restart-nonce", "spec|restartNonce", true, native, diffIgnore},
		{"metadata", "metadata|labels|team", false, native, diffIgnore},
		{"default-upgrade", "spec|image", false, native, diffUpgrade},
		{"default-upgrade", "spec|flinkConfiguration|state.checkpoints.dir", false, native, diffUpgrade},
		{"default-upgrade", "spec|job|autoscaler", false, native, diffUpgrade}, // not a config key
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.rule+"/"+tc.field, func(t *testing.T) {
			got, rule := classifyField(fpath(tc.field), tc.removed, tc.facts)
			if rule != tc.rule || got != tc.want {
				t.Errorf("classifyField(%s, removed=%v) = %v by %s, want %v by %s", tc.field, tc.removed, got, rule, tc.want, tc.rule)
			}
		})
		covered[tc.rule] = true
	}
	for _, r := range fieldRules {
		if !covered[r.name] {
			t.Errorf("rule %s has no test", r.name)
		}
	}
}

// TestOutcomes checks the risk of each outcome rule.
func TestOutcomes(t *testing.T) {
	tests := []struct {
		name string
		got  outcome
		want Risk
	}{
		{"upgrade savepoint", upgradeOutcome("upgrade", jobFacts{upgradeMode: "savepoint", stateDir: true}), Restart},
		{"upgrade last-state", upgradeOutcome("upgrade", jobFacts{upgradeMode: "last-state", stateDir: true}), Restart},
		{"upgrade stateless with state dir", upgradeOutcome("upgrade", jobFacts{upgradeMode: "stateless", stateDir: true}), StateLoss},
		{"upgrade stateless without state dir", upgradeOutcome("upgrade", jobFacts{upgradeMode: "stateless"}), Restart},
		{"scale standalone reactive", scaleOutcome(jobFacts{standalone: true, reactive: true, upgradeMode: "savepoint"}), Safe},
		{"scale standalone not reactive", scaleOutcome(jobFacts{standalone: true, upgradeMode: "savepoint"}), Restart},
		{"scale native in place", scaleOutcome(jobFacts{inPlaceScaling: true, upgradeMode: "stateless", stateDir: true}), Safe},
		{"scale native by upgrade", scaleOutcome(jobFacts{upgradeMode: "stateless", stateDir: true}), StateLoss},
		{"removed with state", removedOutcome(jobFacts{upgradeMode: "savepoint", stateDir: true}), StateLoss},
		{"removed with savepoint on deletion", removedOutcome(jobFacts{upgradeMode: "savepoint", stateDir: true, savepointOnDeletion: true}), Restart},
		{"removed stateless", removedOutcome(jobFacts{upgradeMode: "stateless", stateDir: true}), Restart},
		{"removed without state dir", removedOutcome(jobFacts{upgradeMode: "savepoint"}), Restart},
		{"node drift", nodeDriftOutcome("pool"), Restart},
		{"session cluster", sessionClusterOutcome(), Restart},
		{"snapshot added", snapshotAddedOutcome("savepoint", false, "ns/a"), Safe},
		{"snapshot registered", snapshotAddedOutcome("savepoint", true, "ns/a"), Safe},
		{"savepoint disposed", snapshotRemovedOutcome("savepoint", true), StateLoss},
		{"savepoint kept", snapshotRemovedOutcome("savepoint", false), Safe},
		{"checkpoint removed", snapshotRemovedOutcome("checkpoint", true), Safe},
		{"snapshot changed", snapshotChangedOutcome(), Safe},
		{"blue/green patch", blueGreenOutcome(diffIgnore, jobFacts{upgradeMode: "savepoint", stateDir: true}), Safe},
		{"blue/green redeploy", blueGreenOutcome(diffSavepointRedeploy, jobFacts{upgradeMode: "savepoint", stateDir: true}), Restart},
		{"blue/green transition with state", blueGreenOutcome(diffUpgrade, jobFacts{upgradeMode: "last-state", stateDir: true}), Restart},
		{"blue/green stateless transition with a state dir", blueGreenOutcome(diffUpgrade, jobFacts{upgradeMode: "stateless", stateDir: true}), StateLoss},
		{"blue/green stateless transition", blueGreenOutcome(diffScale, jobFacts{upgradeMode: "stateless"}), Restart},
	}
	for _, tc := range tests {
		if tc.got.risk != tc.want {
			t.Errorf("%s: %q is %s, want %s", tc.name, tc.got.action, tc.got.risk, tc.want)
		}
	}
}

// TestModeOutcomes checks the switches that decide what the next upgrade keeps.
func TestModeOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		old, cur jobFacts
		want     int
	}{
		{"to stateless with state dir", jobFacts{upgradeMode: "savepoint", stateDir: true}, jobFacts{upgradeMode: "stateless", stateDir: true}, 1},
		{"to stateless without state dir", jobFacts{upgradeMode: "savepoint"}, jobFacts{upgradeMode: "stateless"}, 0},
		{"stays stateless", jobFacts{upgradeMode: "stateless", stateDir: true}, jobFacts{upgradeMode: "stateless", stateDir: true}, 0},
		{"allowNonRestoredState added", jobFacts{upgradeMode: "savepoint"}, jobFacts{upgradeMode: "savepoint", allowNonRestored: true}, 1},
		{"allowNonRestoredState kept", jobFacts{allowNonRestored: true}, jobFacts{allowNonRestored: true}, 0},
	}
	for _, tc := range tests {
		got := modeOutcomes(tc.old, tc.cur)
		if len(got) != tc.want {
			t.Errorf("%s: %d outcomes, want %d: %v", tc.name, len(got), tc.want, got)
		}
		for _, o := range got {
			if o.risk != StateLoss {
				t.Errorf("%s: %q is %s, want state-loss", tc.name, o.action, o.risk)
			}
		}
	}
}

func TestFieldPathString(t *testing.T) {
	for in, want := range map[string]string{
		"spec|image": "spec.image",
		"spec|flinkConfiguration|state.checkpoints.dir": "spec.flinkConfiguration[state.checkpoints.dir]",
		"spec|podTemplate|spec|containers|[0]|image":    "spec.podTemplate.spec.containers[0].image",
		"metadata|labels|app.kubernetes.io/name":        "metadata.labels[app.kubernetes.io/name]",
	} {
		if got := fpath(in).String(); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

func TestAtLeast118(t *testing.T) {
	for v, want := range map[string]bool{"v1_17": false, "v1_18": true, "v1_20": true, "v2_0": true, "": false, "1.18": false} {
		if got := atLeast118(v); got != want {
			t.Errorf("%s: %v, want %v", v, got, want)
		}
	}
}

// objTree builds a one-environment tree from YAML documents, each written
// where render would put it (<layer>/<component>/<namespace>/<file>).
func objTree(t *testing.T, docs ...string) output.Tree {
	t.Helper()
	tree := output.Tree{}
	for i, d := range docs {
		tree[fmt.Sprintf("workloads/jobs/ns/object-%d.yaml", i)] = []byte(d)
	}
	return tree
}

// planOf compares two trees and returns the line of the object named
// kind ns/name, failing when there is none.
func planOf(t *testing.T, base, head output.Tree, object string) Change {
	t.Helper()
	e, err := Compare("dev", base, head)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range e.Changes {
		if c.Object() == object {
			return c
		}
	}
	t.Fatalf("no line for %s in %+v", object, e.Changes)
	return Change{}
}

const sessionCluster = `apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata: {name: session, namespace: ns}
spec:
  flinkVersion: v1_18
  flinkConfiguration:
    jobmanager.scheduler: adaptive
    state.checkpoints.dir: s3://b/cp
`

func sessionJob(upgradeMode, extra string) string {
	return `apiVersion: flink.apache.org/v1beta1
kind: FlinkSessionJob
metadata: {name: orders, namespace: ns}
spec:
  deploymentName: session
  job:
    jarURI: local:///a.jar
    upgradeMode: ` + upgradeMode + `
` + extra
}

// TestSessionJobRules: [session-job] a FlinkSessionJob follows the job
// rules, with its session cluster's configuration under its own.
func TestSessionJobRules(t *testing.T) {
	tests := []struct {
		name       string
		base, head string
		want       Risk
		action     string
	}{
		{"upgrade keeps state", sessionJob("savepoint", ""), sessionJob("savepoint", "  restartNonce: 2\n"), Restart, "upgrade (savepoint)"},
		{"stateless upgrade with the cluster's checkpoint directory", sessionJob("stateless", ""),
			strings.Replace(sessionJob("stateless", ""), "a.jar", "b.jar", 1), StateLoss, "upgrade (stateless: starts from empty state)"},
		{"trigger nonce ignored", sessionJob("savepoint", ""), sessionJob("savepoint", "") + "    savepointTriggerNonce: 1\n", Safe, "no restart: only fields the operator ignores"},
		{"parallelism overrides in place on the adaptive cluster", sessionJob("savepoint", ""),
			sessionJob("savepoint", "  flinkConfiguration:\n    pipeline.jobvertex-parallelism-overrides: a:2\n"), Safe, "rescale in place"},
		{"removed with state", sessionJob("savepoint", ""), "", StateLoss, "removed: checkpoints and status deleted"},
		{"removed with savepoint on deletion", sessionJob("savepoint", "  flinkConfiguration:\n    kubernetes.operator.job.savepoint-on-deletion: \"true\"\n"), "",
			Restart, "removed (savepoint on deletion)"},
		{"new", "", sessionJob("savepoint", ""), Safe, "new job"},
	}
	// [session-cluster] the cluster's own change redeploys it.
	cluster2 := strings.Replace(sessionCluster, "v1_18", "v1_19", 1)
	c := planOf(t, objTree(t, sessionCluster), objTree(t, cluster2), "FlinkDeployment ns/session")
	if c.Risk != Restart || strings.Join(c.Actions, "; ") != sessionClusterOutcome().action {
		t.Errorf("session cluster: %s %v", c.Risk, c.Actions)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs := func(job string) output.Tree {
				if job == "" {
					return objTree(t, sessionCluster)
				}
				return objTree(t, sessionCluster, job)
			}
			c := planOf(t, docs(tc.base), docs(tc.head), "FlinkSessionJob ns/orders")
			if c.Risk != tc.want || strings.Join(c.Actions, "; ") != tc.action {
				t.Errorf("%s %v, want %s %q", c.Risk, c.Actions, tc.want, tc.action)
			}
		})
	}
}

func snapshot(spec string) string {
	return `apiVersion: flink.apache.org/v1beta1
kind: FlinkStateSnapshot
metadata: {name: orders-savepoint-1, namespace: ns}
spec:
  jobReference: {kind: FlinkDeployment, name: orders}
` + spec
}

// TestStateSnapshotRules: [snapshots] adding a snapshot triggers it,
// removing a savepoint disposes of its data unless told not to.
func TestStateSnapshotRules(t *testing.T) {
	tests := []struct {
		name       string
		base, head string
		want       Risk
		action     string
	}{
		{"new savepoint", "", snapshot("  savepoint: {}\n"), Safe, "savepoint triggered for ns/orders"},
		{"new checkpoint", "", snapshot("  checkpoint: {}\n"), Safe, "checkpoint triggered for ns/orders"},
		{"existing savepoint registered", "", snapshot("  savepoint: {alreadyExists: true, path: s3://b/sp}\n"), Safe, "existing savepoint registered for ns/orders"},
		{"removed savepoint, disposeOnDelete by default", snapshot("  savepoint: {}\n"), "", StateLoss, "removed: the savepoint's data is disposed of (disposeOnDelete)"},
		{"removed savepoint, disposeOnDelete true", snapshot("  savepoint: {disposeOnDelete: true}\n"), "", StateLoss, "removed: the savepoint's data is disposed of (disposeOnDelete)"},
		{"removed savepoint kept", snapshot("  savepoint: {disposeOnDelete: false}\n"), "", Safe, "removed: the savepoint's data is kept"},
		{"removed checkpoint", snapshot("  checkpoint: {}\n"), "", Safe, "removed: the checkpoint's data is kept"},
		{"changed", snapshot("  savepoint: {}\n"), snapshot("  savepoint: {formatType: NATIVE}\n"), Safe, "changed: a snapshot is not triggered again"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs := func(s string) output.Tree {
				if s == "" {
					return objTree(t)
				}
				return objTree(t, s)
			}
			c := planOf(t, docs(tc.base), docs(tc.head), "FlinkStateSnapshot ns/orders-savepoint-1")
			if c.Risk != tc.want || strings.Join(c.Actions, "; ") != tc.action {
				t.Errorf("%s %v, want %s %q", c.Risk, c.Actions, tc.want, tc.action)
			}
		})
	}
	// An unchanged snapshot is no line, and not an unchanged job.
	e, err := Compare("dev", objTree(t, snapshot("  savepoint: {}\n")), objTree(t, snapshot("  savepoint: {}\n")))
	if err != nil || len(e.Changes) != 0 || e.UnchangedJobs != 0 {
		t.Errorf("unchanged snapshot: %+v, %v", e, err)
	}
}

func blueGreen(upgradeMode, templateExtra, jobExtra string) string {
	return `apiVersion: flink.apache.org/v1beta1
kind: FlinkBlueGreenDeployment
metadata: {name: orders, namespace: ns}
spec:
  configuration: {kubernetes.operator.bluegreen.deployment-deletion.delay: 1m}
  template:
    spec:
      image: orders:1
      flinkVersion: v1_18
      flinkConfiguration:
        state.savepoints.dir: s3://b/sp
` + templateExtra + `      job:
        jarURI: local:///a.jar
        upgradeMode: ` + upgradeMode + `
` + jobExtra
}

// TestBlueGreenRules: [blue-green] template changes go through a
// blue/green transition (no downtime); ignored fields patch the active
// child; suspend, resume and savepoint redeploys act in place.
func TestBlueGreenRules(t *testing.T) {
	bg := blueGreen("savepoint", "", "")
	tests := []struct {
		name   string
		head   string
		want   Risk
		action string
	}{
		{"image: transition from a savepoint", strings.Replace(bg, "orders:1", "orders:2", 1), Restart,
			"blue/green transition: the new deployment starts from a savepoint, then takes over (no downtime)"},
		{"stateless transition with a state directory", strings.Replace(blueGreen("stateless", "", ""), "orders:1", "orders:2", 1), StateLoss,
			"blue/green transition (stateless: the new deployment starts from empty state); upgradeMode savepoint → stateless: upgrades start from empty state"},
		{"ignored field patched", blueGreen("savepoint", "", "        savepointTriggerNonce: 3\n"), Safe, "patched into the active deployment: no transition"},
		{"outside the template", strings.Replace(bg, "delay: 1m", "delay: 5m", 1), Safe, "no transition: only fields outside spec.template.spec"},
		{"suspend in place", blueGreen("savepoint", "", "        state: suspended\n"), Restart, "suspend (savepoint)"},
		{"savepoint redeploy", blueGreen("savepoint", "", "        savepointRedeployNonce: 1\n        initialSavepointPath: s3://b/sp/1\n"), Restart,
			"blue/green redeploy from initialSavepointPath (no downtime)"},
		{"parallelism is a transition too", blueGreen("savepoint", "", "        parallelism: 4\n"), Restart,
			"blue/green transition: the new deployment starts from a savepoint, then takes over (no downtime)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := planOf(t, objTree(t, bg), objTree(t, tc.head), "FlinkBlueGreenDeployment ns/orders")
			if c.Risk != tc.want || strings.Join(c.Actions, "; ") != tc.action {
				t.Errorf("%s %v, want %s %q", c.Risk, c.Actions, tc.want, tc.action)
			}
		})
	}
	removed := planOf(t, objTree(t, bg), objTree(t), "FlinkBlueGreenDeployment ns/orders")
	if removed.Risk != StateLoss {
		t.Errorf("removed stateful blue/green: %s %v, want state-loss", removed.Risk, removed.Actions)
	}
	e, err := Compare("dev", objTree(t, bg), objTree(t, bg))
	if err != nil || len(e.Changes) != 0 || e.UnchangedJobs != 1 {
		t.Errorf("unchanged blue/green: %+v, %v", e, err)
	}
}

// TestRescaleByUpgrade: a native job whose only change is its parallelism
// says it rescales, by an upgrade with its upgradeMode.
func TestRescaleByUpgrade(t *testing.T) {
	job := func(p string) string {
		return "apiVersion: flink.apache.org/v1beta1\nkind: FlinkDeployment\nmetadata: {name: a, namespace: ns}\nspec:\n  job: {upgradeMode: savepoint, parallelism: " + p + "}\n"
	}
	c := planOf(t, objTree(t, job("2")), objTree(t, job("4")), "FlinkDeployment ns/a")
	if c.Risk != Restart || strings.Join(c.Actions, "; ") != "rescale by upgrade (savepoint)" {
		t.Errorf("%s %v", c.Risk, c.Actions)
	}
}
