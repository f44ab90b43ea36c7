package resolve

import (
	"fmt"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// configKeyWarnings says, on every render, where a Secret's value given by
// configKey ends up besides the option (see api.FlinkSecret.ConfigKey), and
// which of those options the operator needs itself.
func configKeyWarnings(src *input.Job, j *api.FlinkJobSpec) problem.List {
	s := &j.Spec.JobFields
	keys := api.ConfigKeys(s.Secrets)
	if len(keys) == 0 {
		return nil
	}
	what := "job"
	if j.IsSession() {
		what = "session cluster"
	}
	probs := problem.List{problem.Warningf(src.File, src.Ref(), "spec.secrets",
		"%s %s gives %s from Secrets by reference: Flink's JobManager passes each such option on to the TaskManager pods it creates as a -D argument in their spec, so anyone who can read Pods in namespace %s can read the values (they never enter the overlays)",
		what, j.Metadata.Name, strings.Join(keys, ", "), j.Metadata.Namespace)}
	for i, sec := range s.Secrets {
		if api.OperatorReadKeys[sec.ConfigKey] {
			probs = append(probs, problem.Warningf(src.File, src.Ref(), fmt.Sprintf("spec.secrets[%d].configKey", i),
				"the Flink operator's REST client to the JobManager reads %s from the FlinkDeployment's flinkConfiguration when REST SSL is enabled, unless the operator has a truststore of its own (the operator chart's tls settings), which replaces it; by reference it reads no value and cannot reach the JobManager: give the operator its own truststore",
				sec.ConfigKey))
		}
	}
	return probs
}
