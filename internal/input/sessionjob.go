package input

import (
	"sort"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// SessionJob is a decoded FlinkSessionJobSpec and where it came from.
type SessionJob struct {
	*api.FlinkSessionJobSpec
	File string
}

// Ref names the session job in problems.
func (j *SessionJob) Ref() problem.ObjectRef {
	return problem.ObjectRef{APIVersion: j.APIVersion, Kind: j.Kind, Namespace: j.Metadata.Namespace, Name: j.Metadata.Name}
}

// DecodeSessionJob strictly decodes a FlinkSessionJobSpec document.
func DecodeSessionJob(d *Document) (*SessionJob, problem.List) {
	j := &api.FlinkSessionJobSpec{}
	// Nested flinkConfiguration keys are rendered flat, which every
	// operator release takes; only FlinkJobSpecs and the platform check them.
	probs, complete, _ := strictDecode(d, j)
	if !complete {
		return nil, probs
	}
	return &SessionJob{FlinkSessionJobSpec: j, File: d.File}, probs
}

// sortSessionJobs orders session jobs by namespace, name and file.
func sortSessionJobs(jobs []*SessionJob) {
	sort.SliceStable(jobs, func(i, k int) bool {
		a, b := jobs[i], jobs[k]
		x, y := a.Metadata, b.Metadata
		if x.Namespace != y.Namespace {
			return x.Namespace < y.Namespace
		}
		if x.Name != y.Name {
			return x.Name < y.Name
		}
		return a.File < b.File
	})
}
