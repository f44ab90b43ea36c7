package v1alpha1

// The run fields a FlinkJobSpec and a FlinkSessionJobSpec share: the
// operator's job spec (spec.job of a FlinkDeployment and of a
// FlinkSessionJob) and the nonces. Three groups, so that each kind keeps
// its field order.

// JobRun is what the job runs and how: its jar, entry point, parallelism,
// upgrade mode and state.
type JobRun struct {
	// JarURI of the job's jar, e.g. local:///opt/flink/usrlib/job.jar (in
	// the image). A session cluster fetches a session job's: https, s3 or a
	// Maven repository URL (the operator downloads it), or local:// in the image.
	// +required
	JarURI string `json:"jarURI,omitempty"`
	// EntryClass of the job, when the jar's manifest names none.
	// +optional
	EntryClass string `json:"entryClass,omitempty"`
	// Args of the job's main method.
	// +optional
	Args []string `json:"args,omitempty"`
	// Parallelism defaults to 1.
	// +optional
	Parallelism *int32 `json:"parallelism,omitempty"`
	// UpgradeMode: stateless (default), savepoint, last-state.
	// +optional
	UpgradeMode string `json:"upgradeMode,omitempty"`
	// State: running (default) or suspended.
	// +optional
	State string `json:"state,omitempty"`
}

// defaultRun fills the defaults of the run fields.
func (r *JobRun) defaultRun() {
	if r.Parallelism == nil {
		r.Parallelism = ptr(int32(1))
	}
	r.UpgradeMode = firstNonEmpty(r.UpgradeMode, DefaultUpgradeMode)
	r.State = firstNonEmpty(r.State, DefaultJobState)
}

// JobRestore is the savepoint the job starts from.
type JobRestore struct {
	// InitialSavepointPath is the savepoint the job starts from when first
	// deployed, or is redeployed from (spec.job.initialSavepointPath).
	// +optional
	InitialSavepointPath string `json:"initialSavepointPath,omitempty"`
	// AllowNonRestoredState lets the job start from a savepoint with state
	// it no longer has operators for (spec.job.allowNonRestoredState).
	// +optional
	AllowNonRestoredState *bool `json:"allowNonRestoredState,omitempty"`
}

// JobNonces are the spec.job nonce fields (all but restartNonce), by their
// YAML names, that are set.
func (a *JobActions) JobNonces() map[string]any {
	out := map[string]any{}
	for name, v := range map[string]*int64{
		"savepointTriggerNonce":  a.SavepointTriggerNonce,
		"checkpointTriggerNonce": a.CheckpointTriggerNonce,
		"savepointRedeployNonce": a.SavepointRedeployNonce,
	} {
		if v != nil {
			out[name] = *v
		}
	}
	return out
}

// JobActions are the nonces: a changed value triggers the action once.
type JobActions struct {
	// RestartNonce: change it to restart the job (spec.restartNonce).
	// +optional
	RestartNonce *int64 `json:"restartNonce,omitempty"`
	// SavepointTriggerNonce: change it to trigger a savepoint (spec.job.savepointTriggerNonce).
	// +optional
	SavepointTriggerNonce *int64 `json:"savepointTriggerNonce,omitempty"`
	// CheckpointTriggerNonce: change it to trigger a checkpoint (spec.job.checkpointTriggerNonce).
	// +optional
	CheckpointTriggerNonce *int64 `json:"checkpointTriggerNonce,omitempty"`
	// SavepointRedeployNonce: change it, with initialSavepointPath, to
	// redeploy from that savepoint (spec.job.savepointRedeployNonce; operator 1.8+).
	// +optional
	SavepointRedeployNonce *int64 `json:"savepointRedeployNonce,omitempty"`
}
