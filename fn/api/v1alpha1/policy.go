package v1alpha1

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Policy holds the platform's state-safety rules for jobs
// (spec.policy). Every rule is off, or a warning, unless set.
type Policy struct {
	// StatelessWithState decides what a job is that has a checkpoint or
	// savepoint directory but upgradeMode stateless (or none: the
	// operator's default), so that every upgrade starts from empty state:
	// warn (default) or error.
	// +optional
	StatelessWithState string `json:"statelessWithState,omitempty"`
	// RequireUpgradeMode makes a job that does not declare upgradeMode
	// (itself or in the environment's override) an error.
	// +optional
	RequireUpgradeMode bool `json:"requireUpgradeMode,omitempty"`
	// SavepointOnDeletion sets kubernetes.operator.job.savepoint-on-deletion
	// to "true" on every stateful job (upgradeMode savepoint or last-state,
	// with a savepoint directory) whose flinkConfiguration, the platform's
	// included, does not set it: deleting the FlinkDeployment then takes a
	// savepoint first.
	// +optional
	SavepointOnDeletion bool `json:"savepointOnDeletion,omitempty"`
	// PlainTextCredentials decides what a credential written in plain text
	// is (a credential flinkConfiguration key, a value that looks like a key
	// or token, a credential env value in a pod template): error (default),
	// or warn, which renders it as written, into the overlays committed to
	// Git, with a warning naming the file, the object and the field.
	// +optional
	PlainTextCredentials string `json:"plainTextCredentials,omitempty"`
}

// Policy values of StatelessWithState.
const (
	PolicyWarn  = "warn"
	PolicyError = "error"
)

// SavepointOnDeletionKey is the operator option a job's
// flinkConfiguration may set to take a savepoint when it is deleted.
const SavepointOnDeletionKey = "kubernetes.operator.job.savepoint-on-deletion"

// CheckpointDirKeys and SavepointDirKeys are the Flink options that name a
// job's checkpoint and savepoint directories, current and deprecated keys
// alike: the operator reads them through Flink's configuration, which
// accepts both (execution.checkpointing.* from Flink 1.20, state.* and
// state.backend.fs.* before).
var (
	CheckpointDirKeys = []string{"execution.checkpointing.dir", "state.checkpoints.dir", "state.backend.fs.checkpointdir"}
	SavepointDirKeys  = []string{"execution.checkpointing.savepoint-dir", "state.savepoints.dir", "savepoints.state.backend.fs.dir"}
)

// StateDir returns the first checkpoint or savepoint directory key the
// configuration sets, or "".
func StateDir(conf map[string]string) string {
	for _, keys := range [][]string{CheckpointDirKeys, SavepointDirKeys} {
		for _, k := range keys {
			if conf[k] != "" {
				return k
			}
		}
	}
	return ""
}

// SavepointDir tells whether the configuration names a savepoint directory.
func SavepointDir(conf map[string]string) bool {
	for _, k := range SavepointDirKeys {
		if conf[k] != "" {
			return true
		}
	}
	return false
}

// Validate checks the policy's values; empty is the default (warn for
// statelessWithState, error for plainTextCredentials).
func (p *Policy) Validate(path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if p.StatelessWithState != "" {
		errs = append(errs, oneOf(path.Child("statelessWithState"), []string{p.StatelessWithState}, PolicyWarn, PolicyError)...)
	}
	if p.PlainTextCredentials != "" {
		errs = append(errs, oneOf(path.Child("plainTextCredentials"), []string{p.PlainTextCredentials}, PolicyWarn, PolicyError)...)
	}
	return errs
}
