package flinkjob

import (
	"fmt"

	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// chartProblem reports a job chart that fails for a job (a template error,
// values its schema rejects, output that is not YAML) as a problem about
// the platform's spec.jobChart, naming the job and its file: the chart is
// the platform's choice, the job only the values it was fed.
func chartProblem(p *resolve.Plan, j *resolve.Job, err error) error {
	where := ""
	if j.Source != nil && j.Source.File != "" {
		where = " (" + j.Source.File + ")"
	}
	msg := fmt.Sprintf("rendering job %s/%s%s: %v", j.Metadata.Namespace, j.Metadata.Name, where, err)
	if p.Source == nil {
		return fmt.Errorf("%s", msg)
	}
	fieldPath := "spec.jobChart.path"
	if p.Platform.Spec.JobChart == nil {
		fieldPath = "spec.jobChart"
	}
	return problem.List{problem.Errorf(p.Source.File, p.Source.Ref(), fieldPath, "%s", msg)}
}
