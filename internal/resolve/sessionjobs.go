package resolve

import (
	"fmt"
	"maps"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// SessionJob is a session job resolved for one environment.
type SessionJob struct {
	*api.FlinkSessionJobSpec
	// Session is the session cluster the job runs on, resolved for the same environment.
	Session *Job
	// Source is the session job as the user wrote it.
	Source *input.SessionJob
}

// resolveSessionJobs resolves the session jobs of envName against the
// session clusters resolved in pl. A session job must name a
// FlinkSessionSpec of its namespace rendered in the same environment: one
// that is missing (or was removed while jobs still run on it) is an error.
func resolveSessionJobs(set *input.Set, envName string, pl *Plan, platform *api.FlinkPlatform) problem.List {
	envNames := Environments(set.Platform.FlinkPlatform)
	resolved := map[string]*Job{}
	for _, j := range pl.Jobs {
		resolved[j.Metadata.Namespace+"/"+j.Metadata.Name] = j
	}
	written := map[string]*input.Job{}
	for _, j := range set.Jobs {
		written[j.Metadata.Namespace+"/"+j.Metadata.Name] = j
	}
	var probs problem.List
	for _, src := range set.SessionJobs {
		probs = append(probs, checkEnvironmentNames(src.File, src.Ref(), &src.Spec.PerEnvironment, envNames)...)
		if len(src.Spec.Only) > 0 && !contains(src.Spec.Only, envName) {
			continue
		}
		sj, ps := resolveSessionJob(src, envName, platform)
		probs = append(probs, ps...)
		if sj == nil {
			continue
		}
		key := sj.Metadata.Namespace + "/" + sj.Spec.Session
		in, ok := written[key]
		switch {
		case sj.Spec.Session == "":
			continue // reported by Validate
		case ok && !in.IsSession():
			probs = append(probs, problem.Errorf(src.File, src.Ref(), "spec.session",
				"%s is a %s (an application job with a jar of its own); a session job runs on a %s", key, api.KindJob, api.KindSession))
			continue
		case !ok || len(in.Spec.Only) > 0 && !contains(in.Spec.Only, envName):
			probs = append(probs, problem.Errorf(src.File, src.Ref(), "spec.session",
				"no %s %s in environment %s: session job %s runs on it; define the session cluster in the same namespace and environment (removing a session cluster takes removing its session jobs first)",
				api.KindSession, key, envName, sj.Metadata.Name))
			continue
		}
		session := resolved[key]
		if session == nil {
			continue // the session cluster has problems of its own, reported there
		}
		sj.Session = session
		conf := maps.Clone(session.Spec.FlinkConfiguration)
		if conf == nil {
			conf = map[string]string{}
		}
		maps.Copy(conf, sj.Spec.FlinkConfiguration)
		if errs := api.UpgradeModeDirErrors(field.NewPath("spec"), sj.Spec.UpgradeMode, conf); len(errs) > 0 {
			probs = append(probs, problem.FromFieldErrors(src.File, src.Ref(), errs)...)
			continue
		}
		pl.SessionJobs = append(pl.SessionJobs, sj)
	}
	return probs
}

// checkEnvironmentNames reports environments and only entries of a job or
// session job that the platform does not define.
func checkEnvironmentNames(file string, ref problem.ObjectRef, e *api.PerEnvironment, envNames []string) problem.List {
	var probs problem.List
	for name := range e.Environments {
		if !contains(envNames, name) {
			probs = append(probs, problem.Errorf(file, ref, "spec.environments."+name,
				"no environment %q on the platform (it defines %s)", name, strings.Join(envNames, ", ")))
		}
	}
	for i, name := range e.Only {
		if !contains(envNames, name) {
			probs = append(probs, problem.Errorf(file, ref, fmt.Sprintf("spec.only[%d]", i),
				"no environment %q on the platform (it defines %s)", name, strings.Join(envNames, ", ")))
		}
	}
	return probs
}

// resolveSessionJob merges, defaults and validates one session job for an environment.
func resolveSessionJob(src *input.SessionJob, envName string, platform *api.FlinkPlatform) (*SessionJob, problem.List) {
	out := &api.FlinkSessionJobSpec{}
	mustRoundTrip(src.FlinkSessionJobSpec, out)
	fields, _, overridden, probs := mergeEnvironment(&out.Spec.SessionJobFields, src.Spec.Environments[envName], src.File, src.Ref(), envName, nil)
	if len(probs) > 0 {
		return nil, probs
	}
	if fields != nil {
		out.Spec.SessionJobFields = *fields
	}
	out.Default()
	for _, p := range fieldProblems(src.File, src.Ref(), out.Validate(OperatorVersion(&platform.Spec)), platform.Spec.Policy.PlainTextCredentials) {
		if top, ok := topField(p.Field); ok && overridden[top] {
			p.Field = "spec.environments." + envName + p.Field[len("spec"):]
		}
		probs = append(probs, p)
	}
	if probs.HasErrors() {
		return nil, probs
	}
	return &SessionJob{FlinkSessionJobSpec: out, Source: src}, probs
}
