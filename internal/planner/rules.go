package planner

import (
	"fmt"
	"strings"
)

// This file is the classification table: what the Flink Kubernetes
// Operator does with each kind of FlinkDeployment spec change, and what
// krm-flink adds about the objects around the job. Every rule cites the
// operator's published behaviour it follows:
//
//   - [spec-diff]: the @SpecDiff annotations of the CRD's Java spec
//     (JobSpec, TaskManagerSpec, AbstractFlinkSpec) and the DiffType enum
//     (IGNORE < SCALE < UPGRADE < SAVEPOINT_REDEPLOY, the largest wins);
//   - [job-management]: docs/custom-resource/job-management.md (upgrade
//     modes, deletion, savepointRedeployNonce, restartNonce);
//   - [controller-flow]: docs/concepts/controller-flow.md (what a SCALE
//     change does);
//   - [autoscaler]: docs/custom-resource/autoscaler.md (in-place scaling on
//     Flink 1.18+ with the adaptive scheduler);
//   - [operator-config]: the dynamic operator options, such as
//     kubernetes.operator.job.savepoint-on-deletion.

// diffType is the operator's classification of one spec change.
type diffType int

const (
	// diffIgnore: the operator records the change and does nothing.
	diffIgnore diffType = iota
	// diffScale: a parallelism change the operator may apply without an
	// upgrade cycle.
	diffScale
	// diffUpgrade: the job is stopped and redeployed with its upgradeMode.
	diffUpgrade
	// diffSavepointRedeploy: the job is redeployed from initialSavepointPath.
	diffSavepointRedeploy
)

// fieldRule classifies the spec fields one matcher selects.
type fieldRule struct {
	name  string
	match func(p fieldPath) bool
	diff  diffType
	// onNullIgnore: a change to no value at all is ignored.
	onNullIgnore bool
	// standaloneOnly: the rule applies in standalone mode; in native mode
	// the change is an upgrade.
	standaloneOnly bool
	// nativeOnly: the rule applies in native mode; in standalone mode the
	// change is an upgrade.
	nativeOnly bool
}

// fieldRules are tried in order; a spec field no rule matches is an upgrade.
var fieldRules = []fieldRule{
	// [spec-diff] JobSpec: savepointTriggerNonce, checkpointTriggerNonce
	// (manual snapshots), initialSavepointPath (used at first deployment and
	// on a savepoint redeploy), upgradeMode, allowNonRestoredState and
	// autoscalerResetNonce are IGNORE.
	{name: "job-ignored", match: fieldIn(jobSpec, "savepointTriggerNonce", "checkpointTriggerNonce",
		"initialSavepointPath", "upgradeMode", "allowNonRestoredState", "autoscalerResetNonce"), diff: diffIgnore},
	// [spec-diff] AbstractFlinkSpec.flinkConfiguration: keys under
	// job.autoscaler, parallelism.default and kubernetes.operator are IGNORE.
	{name: "config-ignored", match: configPrefix("job.autoscaler", "parallelism.default", "kubernetes.operator"), diff: diffIgnore},
	// [spec-diff] pipeline.jobvertex-parallelism-overrides is SCALE in native
	// mode (the autoscaler's output).
	{name: "config-parallelism-overrides", match: configPrefix("pipeline.jobvertex-parallelism-overrides"), diff: diffScale, nativeOnly: true},
	// [spec-diff] JobSpec.parallelism and TaskManagerSpec.replicas are
	// SCALE in standalone mode only.
	{name: "standalone-scale", match: func(p fieldPath) bool {
		return p.is("spec", "job", "parallelism") || p.is("spec", "taskManager", "replicas")
	}, diff: diffScale, standaloneOnly: true},
	// [spec-diff] [job-management] JobSpec.savepointRedeployNonce is
	// SAVEPOINT_REDEPLOY; removing it is ignored.
	{name: "savepoint-redeploy", match: fieldIn(jobSpec, "savepointRedeployNonce"), diff: diffSavepointRedeploy, onNullIgnore: true},
	// [spec-diff] [job-management] restartNonce restarts the job (an
	// upgrade); removing it is ignored.
	{name: "restart-nonce", match: fieldIn(fieldPath{"spec"}, "restartNonce"), diff: diffUpgrade, onNullIgnore: true},
	// [spec-diff] The operator diffs the spec only: metadata (labels,
	// annotations) never reaches the job.
	{name: "metadata", match: func(p fieldPath) bool { return len(p) > 0 && p[0] == "metadata" }, diff: diffIgnore},
}

// scaleRules name the rules of parallelism fields: a change to those alone
// is a rescale, in place or by an upgrade.
var scaleRules = map[string]bool{"config-parallelism-overrides": true, "standalone-scale": true}

// classifyField returns the diff type of one changed field of a job.
func classifyField(p fieldPath, removed bool, j jobFacts) (diffType, string) {
	for _, r := range fieldRules {
		if !r.match(p) {
			continue
		}
		switch {
		case r.onNullIgnore && removed:
			return diffIgnore, r.name
		case r.standaloneOnly && !j.standalone, r.nativeOnly && j.standalone:
			return diffUpgrade, r.name
		}
		return r.diff, r.name
	}
	return diffUpgrade, "default-upgrade"
}

// jobFacts is what the rules need to know about a FlinkDeployment.
type jobFacts struct {
	upgradeMode string // stateless when unset, as the operator defaults it
	standalone  bool
	// reactive: standalone with scheduler-mode reactive.
	reactive bool
	// inPlaceScaling: the adaptive scheduler on Flink 1.18 or newer.
	inPlaceScaling bool
	// stateDir: a checkpoint or savepoint directory is configured.
	stateDir bool
	// savepointOnDeletion: kubernetes.operator.job.savepoint-on-deletion.
	savepointOnDeletion bool
	allowNonRestored    bool
	suspended           bool
}

// Risk orders what a change does to a running job.
type Risk int

const (
	// Safe: the job keeps running.
	Safe Risk = iota
	// Restart: the job restarts, or stops, with its state kept.
	Restart
	// StateLoss: the job loses its state, or will at its next upgrade.
	StateLoss
)

func (r Risk) String() string {
	switch r {
	case Restart:
		return "restart"
	case StateLoss:
		return "state-loss"
	}
	return "safe"
}

// ParseRisk reads a risk level as String prints it.
func ParseRisk(s string) (Risk, error) {
	for _, r := range []Risk{Safe, Restart, StateLoss} {
		if r.String() == s {
			return r, nil
		}
	}
	return Safe, fmt.Errorf("unknown risk %q: want safe, restart or state-loss", s)
}

// MarshalText writes the risk as its name, in JSON.
func (r Risk) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// outcome is one cause of a plan line.
type outcome struct {
	action string
	risk   Risk
}

// upgradeOutcome is a stop and redeploy with the job's (new) upgradeMode.
// [job-management] stateless restores from empty state; last-state from HA
// metadata or the last checkpoint (krm-flink refuses last-state without
// HA); savepoint from a savepoint taken at the stop.
func upgradeOutcome(action string, j jobFacts) outcome {
	switch j.upgradeMode {
	case "savepoint", "last-state":
		return outcome{action + " (" + j.upgradeMode + ")", Restart}
	}
	if j.stateDir {
		return outcome{action + " (stateless: starts from empty state)", StateLoss}
	}
	return outcome{action + " (stateless)", Restart}
}

// scaleOutcome is what a SCALE change does. [controller-flow] in
// standalone mode with reactive scaling only the TaskManagers are rescaled;
// [autoscaler] in native mode parallelism overrides are applied in place
// through the resource requirements endpoint with the adaptive scheduler on
// Flink 1.18+. Otherwise the operator runs a full upgrade.
func scaleOutcome(j jobFacts) outcome {
	if (j.standalone && j.reactive) || (!j.standalone && j.inPlaceScaling) {
		return outcome{"rescale in place", Safe}
	}
	return upgradeOutcome("rescale by upgrade", j)
}

// removedOutcome is what deleting a FlinkDeployment does. [job-management]
// deletion removes checkpoint and status information, so a job with a state
// directory that is not stateless loses its state, unless
// [operator-config] kubernetes.operator.job.savepoint-on-deletion takes a
// savepoint first. A stateless job carries no state across upgrades, so
// removing it only stops it.
func removedOutcome(j jobFacts) outcome {
	if j.stateDir && j.upgradeMode != "stateless" && !j.savepointOnDeletion {
		return outcome{"removed: checkpoints and status deleted", StateLoss}
	}
	if j.savepointOnDeletion {
		return outcome{"removed (savepoint on deletion)", Restart}
	}
	return outcome{"removed", Restart}
}

// modeOutcomes are the lines a change of upgradeMode or
// allowNonRestoredState adds, whatever the rest of the change: both are
// IGNORE [spec-diff] but decide what the next upgrade keeps.
func modeOutcomes(old, cur jobFacts) []outcome {
	var out []outcome
	if cur.upgradeMode == "stateless" && old.upgradeMode != "stateless" && cur.stateDir {
		out = append(out, outcome{"upgradeMode " + old.upgradeMode + " → stateless: upgrades start from empty state", StateLoss})
	}
	if cur.allowNonRestored && !old.allowNonRestored {
		out = append(out, outcome{"allowNonRestoredState set: a restore may drop state", StateLoss})
	}
	return out
}

// nodeDriftOutcome: Karpenter replaces the nodes of a NodePool whose
// spec.template (or EC2NodeClass) changed (drift); the job's pods are
// evicted and the job recovers from its last checkpoint.
func nodeDriftOutcome(pool string) outcome {
	return outcome{"nodes replaced (NodePool " + pool + " drifted)", Restart}
}

// fieldPath is a changed field, one segment per key or list index.
type fieldPath []string

func (p fieldPath) is(segs ...string) bool {
	if len(p) < len(segs) {
		return false
	}
	for i, s := range segs {
		if p[i] != s {
			return false
		}
	}
	return true
}

// String writes map keys holding dots in brackets: spec.flinkConfiguration[a.b].
func (p fieldPath) String() string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"):
			b.WriteString(s)
		case strings.ContainsAny(s, "./"):
			b.WriteString("[" + s + "]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

// jobSpec is where the JobSpec lives in a FlinkDeployment.
var jobSpec = fieldPath{"spec", "job"}

// fieldIn matches the fields names directly under parent.
func fieldIn(parent fieldPath, names ...string) func(fieldPath) bool {
	return func(p fieldPath) bool {
		if len(p) != len(parent)+1 || !p.is(parent...) {
			return false
		}
		for _, n := range names {
			if p[len(parent)] == n {
				return true
			}
		}
		return false
	}
}

// configPrefix matches flinkConfiguration keys equal to or under a prefix.
func configPrefix(prefixes ...string) func(fieldPath) bool {
	return func(p fieldPath) bool {
		if len(p) != 3 || !p.is("spec", "flinkConfiguration") {
			return false
		}
		for _, pre := range prefixes {
			if p[2] == pre || strings.HasPrefix(p[2], pre+".") {
				return true
			}
		}
		return false
	}
}

// The session kinds. Sources, beside those above:
//
//   - [session-job]: FlinkSessionJobSpec extends AbstractFlinkSpec, so a
//     session job's spec changes are diffed by the same @SpecDiff rules as
//     a FlinkDeployment's job, and SessionJobReconciler honours
//     kubernetes.operator.job.savepoint-on-deletion on deletion;
//   - [session-cluster]: SessionReconciler, which redeploys a session
//     cluster on any spec change the @SpecDiff rules do not ignore;
//   - [snapshots]: docs/custom-resource/snapshots.md and
//     StateSnapshotReconciler: a new FlinkStateSnapshot triggers its
//     savepoint or checkpoint once (alreadyExists only registers the path),
//     later spec changes are not acted on, and deleting a savepoint snapshot
//     with spec.savepoint.disposeOnDelete (default true) disposes of the
//     savepoint's data;
//   - [blue-green]: docs/concepts/bluegreen-controller-flow.md and
//     FlinkBlueGreenDeploymentSpecDiff: only spec.template.spec is
//     compared; a job.state change suspends or resumes in place, a
//     SAVEPOINT_REDEPLOY redeploys from initialSavepointPath, a change the
//     FlinkDeployment rules ignore is patched into the active child, and
//     anything else is a blue/green transition: the inactive deployment
//     starts (from a savepoint taken first when the upgradeMode keeps
//     state) and takes over once ready, and the old one is deleted.

// sessionClusterOutcome is a spec change to a session cluster (a
// FlinkDeployment without spec.job). [session-cluster]
// SessionReconciler.reconcileSpecChange deletes the cluster and deploys it
// again, without a savepoint of the session jobs running on it: they stop
// and recover as their own upgradeMode and checkpoints allow.
func sessionClusterOutcome() outcome {
	return outcome{"session cluster redeployed (deleted, no savepoint): its session jobs stop and recover", Restart}
}

// snapshotAddedOutcome is a new FlinkStateSnapshot [snapshots]: the job
// keeps running while Flink writes the snapshot.
func snapshotAddedOutcome(typ string, alreadyExists bool, job string) outcome {
	if alreadyExists {
		return outcome{"existing savepoint registered" + of(job), Safe}
	}
	return outcome{typ + " triggered" + of(job), Safe}
}

// snapshotRemovedOutcome is a deleted FlinkStateSnapshot [snapshots]. A
// savepoint disposed of on deletion is state-loss: the job keeps running,
// but the deletion cannot be undone, and the savepoint may be what a
// redeploy, a rollback or a recovery would start from; so a gate on
// state-loss stops it for a person to confirm. Checkpoints, and savepoints
// with disposeOnDelete false, keep their data: only the object goes.
func snapshotRemovedOutcome(typ string, disposeOnDelete bool) outcome {
	if typ == "savepoint" && disposeOnDelete {
		return outcome{"removed: the savepoint's data is disposed of (disposeOnDelete)", StateLoss}
	}
	return outcome{"removed: the " + typ + "'s data is kept", Safe}
}

// snapshotChangedOutcome: [snapshots] the operator triggers a snapshot only
// while it is pending, so a changed spec does nothing to the job.
func snapshotChangedOutcome() outcome {
	return outcome{"changed: a snapshot is not triggered again", Safe}
}

// blueGreenOutcome is a change to a FlinkBlueGreenDeployment's
// spec.template.spec of the given diff type [blue-green]. A transition
// keeps the old job running until the new one is ready, so there is no
// downtime; it is still a restart: a new job restores the state (from a
// savepoint taken first, with savepoint or last-state), which a gate on
// restart should see. A stateless transition starts from empty state.
func blueGreenOutcome(diff diffType, j jobFacts) outcome {
	switch diff {
	case diffIgnore:
		return outcome{"patched into the active deployment: no transition", Safe}
	case diffSavepointRedeploy:
		return outcome{"blue/green redeploy from initialSavepointPath (no downtime)", Restart}
	}
	switch {
	case j.upgradeMode == "savepoint" || j.upgradeMode == "last-state":
		return outcome{"blue/green transition: the new deployment starts from a savepoint, then takes over (no downtime)", Restart}
	case j.stateDir:
		return outcome{"blue/green transition (stateless: the new deployment starts from empty state)", StateLoss}
	}
	return outcome{"blue/green transition (stateless, no downtime)", Restart}
}

func of(job string) string {
	if job == "" {
		return ""
	}
	return " for " + job
}
