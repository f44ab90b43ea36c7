package resolve

import (
	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// statePolicy checks one resolved job against the platform's
// state-safety policy (spec.policy) and applies its defaults to the job.
// overridden lists the fields the environment's override sets.
func statePolicy(src *input.Job, j *api.FlinkJobSpec, p *api.PlatformSpec, envName string, overridden map[string]bool) problem.List {
	s := &j.Spec.JobFields
	declared := src.Spec.UpgradeMode != "" || overridden["upgradeMode"]
	at := "spec.upgradeMode"
	if overridden["upgradeMode"] {
		at = "spec.environments." + envName + ".upgradeMode"
	}
	var probs problem.List
	if p.Policy.RequireUpgradeMode && !declared {
		probs = append(probs, problem.Errorf(src.File, src.Ref(), at,
			"job %s declares no upgradeMode, and the platform's spec.policy.requireUpgradeMode requires one: set stateless, savepoint or last-state", j.Metadata.Name))
	}
	if dir := api.StateDir(s.FlinkConfiguration); dir != "" && s.UpgradeMode == "stateless" {
		mode := "upgradeMode stateless"
		if !declared {
			mode = "no upgradeMode (the operator's default is stateless)"
		}
		report, why := problem.Warningf, "; the platform's spec.policy.statelessWithState: error makes this an error"
		if p.Policy.StatelessWithState == api.PolicyError {
			report, why = problem.Errorf, " (the platform's spec.policy.statelessWithState is error)"
		}
		probs = append(probs, report(src.File, src.Ref(), at,
			"job %s has a state directory (flinkConfiguration %s) but %s: every upgrade starts it from empty state; set upgradeMode savepoint or last-state%s",
			j.Metadata.Name, dir, mode, why))
	}
	if p.Policy.SavepointOnDeletion && (s.UpgradeMode == "savepoint" || s.UpgradeMode == "last-state") && api.SavepointDir(s.FlinkConfiguration) {
		if _, set := s.FlinkConfiguration[api.SavepointOnDeletionKey]; !set {
			s.FlinkConfiguration[api.SavepointOnDeletionKey] = "true"
		}
	}
	return probs
}
