package planner

import (
	"strings"
	"testing"
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
