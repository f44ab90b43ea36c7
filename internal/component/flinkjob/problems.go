package flinkjob

import (
	"fmt"

	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// chartProblem reports a job chart that fails for a job (a template error,
// values its schema rejects, output that is not YAML) as a problem about
// the platform's spec.jobChart, naming the job and its file: the chart is
// the platform's choice, the job only the values it was fed. j is nil when
// no single job is to blame.
func chartProblem(p *resolve.Plan, j *resolve.Job, err error) problem.Problem {
	msg := fmt.Sprintf("rendering the job chart: %v", err)
	if j != nil {
		where := ""
		if j.Source != nil && j.Source.File != "" {
			where = " (" + j.Source.File + ")"
		}
		msg = fmt.Sprintf("rendering job %s/%s%s: %v", j.Metadata.Namespace, j.Metadata.Name, where, err)
	}
	fieldPath := "spec.jobChart.path"
	if p.Platform.Spec.JobChart == nil {
		fieldPath = "spec.jobChart"
	}
	var file string
	var ref problem.ObjectRef
	if p.Source != nil {
		file, ref = p.Source.File, p.Source.Ref()
	}
	return problem.Errorf(file, ref, fieldPath, "%s", msg)
}
