package v1alpha1

import (
	"fmt"

	"github.com/krm-flink/krm-flink/internal/flinkcrd"
)

const (
	// KindSession is the kind of a session cluster: a FlinkDeployment
	// without a job, which session jobs are submitted to. Its spec is a
	// FlinkJobSpec's without the job-only fields.
	KindSession = "FlinkSessionSpec"
	// KindSessionJob is the kind of a job submitted to a session cluster.
	KindSessionJob = "FlinkSessionJobSpec"
)

// IsInputJobKind tells whether kind is one of the per-job input kinds
// (everything but the platform).
func IsInputJobKind(kind string) bool {
	return kind == KindJob || kind == KindSession || kind == KindSessionJob
}

// IsSession tells whether the object is a session cluster (FlinkSessionSpec),
// which is decoded into the same type as a FlinkJobSpec.
func (j *FlinkJobSpec) IsSession() bool { return j.Kind == KindSession }

// FlinkSessionJobSpec describes one job submitted to a session cluster.
type FlinkSessionJobSpec struct {
	APIVersion string         `json:"apiVersion"`
	Kind       string         `json:"kind"`
	Metadata   ObjectMeta     `json:"metadata"`
	Spec       SessionJobSpec `json:"spec"`
}

// SessionJobSpec is the body of a FlinkSessionJobSpec.
type SessionJobSpec struct {
	SessionJobFields `json:",inline"`
	// Where the session job runs, and how differently, as a FlinkJobSpec's.
	PerEnvironment `json:",inline"`
}

// SessionJobFields are the settings of a session job an environment may override.
type SessionJobFields struct {
	// Session names the FlinkSessionSpec (same namespace) the job runs on.
	// +required
	Session string `json:"session,omitempty"`
	// Owner is the team that owns the job (label krm-flink.io/owner).
	// +required
	Owner string `json:"owner,omitempty"`
	// Repo is the source repository.
	// +optional
	Repo string `json:"repo,omitempty"`
	// What the job runs and how, the savepoint it starts from and the
	// nonces, as a FlinkJobSpec's.
	JobRun     `json:",inline"`
	JobRestore `json:",inline"`
	JobActions `json:",inline"`
	// FlinkConfiguration is the session job's own configuration (the
	// operator applies the job-level keys over the cluster's).
	// +optional
	FlinkConfiguration FlinkConfiguration `json:"flinkConfiguration,omitempty"`
	// Snapshots are FlinkStateSnapshot objects of this session job.
	// +optional
	Snapshots []Snapshot `json:"snapshots,omitempty"`
}

// Snapshot declares one FlinkStateSnapshot of a job (operator 1.10+),
// named <job>-<name>, whose jobReference is the job.
type Snapshot struct {
	// Name is unique per job; the object is <job>-<name>.
	// +required
	Name string `json:"name"`
	// Type: savepoint (default) or checkpoint.
	// +optional
	Type string `json:"type,omitempty"`
	// Path of the savepoint: where to write it, or, with alreadyExists,
	// the existing savepoint to register. Savepoints only.
	// +optional
	Path string `json:"path,omitempty"`
	// AlreadyExists registers an existing savepoint at Path instead of
	// triggering one. Savepoints only.
	// +optional
	AlreadyExists *bool `json:"alreadyExists,omitempty"`
	// DisposeOnDelete deletes the savepoint's data with the object. Savepoints only.
	// +optional
	DisposeOnDelete *bool `json:"disposeOnDelete,omitempty"`
	// FormatType: CANONICAL or NATIVE. Savepoints only.
	// +optional
	FormatType string `json:"formatType,omitempty"`
	// BackoffLimit is how many times a failed snapshot is retried.
	// +optional
	BackoffLimit *int32 `json:"backoffLimit,omitempty"`
	// ObjectName names the FlinkStateSnapshot instead of <job>-<name>, for
	// a snapshot that already exists under another name (krm-flink import
	// keeps names: a renamed snapshot is a new one to the operator, and
	// deleting the old one may dispose of its savepoint).
	// +optional
	ObjectName string `json:"objectName,omitempty"`
}

// ObjectNameFor is the FlinkStateSnapshot's name for a snapshot of job.
func (s Snapshot) ObjectNameFor(job string) string {
	if s.ObjectName != "" {
		return s.ObjectName
	}
	return SnapshotObjectName(job, s.Name)
}

// Snapshot types.
const (
	SnapshotSavepoint  = "savepoint"
	SnapshotCheckpoint = "checkpoint"
)

// BlueGreen renders the job as a FlinkBlueGreenDeployment (operator 1.14+),
// whose template is the job's FlinkDeployment spec.
type BlueGreen struct {
	// Configuration are the blue/green settings
	// (kubernetes.operator.bluegreen.*).
	// +optional
	Configuration map[string]string `json:"configuration,omitempty"`
	// Ingress the operator points at the active deployment (the
	// FlinkBlueGreenDeployment spec.ingress, shaped as a job's ingress).
	// +optional
	Ingress *Ingress `json:"ingress,omitempty"`
}

// Operator releases that introduced the kinds, from the CRD facts
// (internal/flinkcrd): "1.10" and "1.14".
var (
	SnapshotOperatorVersion  = firstRelease(flinkcrd.KindFlinkStateSnapshot, "spec")
	BlueGreenOperatorVersion = firstRelease(flinkcrd.KindFlinkBlueGreenDeployment, "spec")
	// savepointRedeployOperatorVersion introduced job.savepointRedeployNonce: "1.8".
	savepointRedeployOperatorVersion = firstRelease(flinkcrd.KindFlinkSessionJob, "spec.job.savepointRedeployNonce")
)

// firstRelease is the first operator release whose CRD of kind has the
// field at path, as "1.10".
func firstRelease(kind, path string) string {
	r, ok := flinkcrd.FieldSince(kind, path)
	if !ok {
		panic(fmt.Sprintf("v1alpha1: the CRD facts have no %s %s", kind, path))
	}
	return r.String()
}

// OperatorAtLeast tells whether operator release v is at least major.minor
// ("1.10"); an unparsable version counts as new enough.
func OperatorAtLeast(v, min string) bool {
	maj, mnr, ok := majorMinor(v)
	wantMaj, wantMnr, _ := majorMinor(min)
	if !ok {
		return true
	}
	return maj > wantMaj || maj == wantMaj && mnr >= wantMnr
}
