// Package plan resolves the input for one environment: the platform with the
// environment's overrides merged and defaulted, and every job of that
// environment merged, defaulted and validated. Renderers read only a Plan.
package resolve

import (
	"encoding/json"
	"fmt"
	"strings"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	"k8s.io/apimachinery/pkg/util/validation/field"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/parallel"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/support"
)

// Plan is everything one environment renders from.
type Plan struct {
	Env      api.Environment
	Platform *api.FlinkPlatform
	Jobs     []*Job
	// SessionJobs run on session clusters among Jobs.
	SessionJobs []*SessionJob
	// Source is the platform as the user wrote it: its file and name for problems.
	Source *input.Platform
}

// Job is a job resolved for one environment.
type Job struct {
	*api.FlinkJobSpec
	// Source is the job as the user wrote it.
	Source *input.Job
}

// Environments lists the platform's environment names in declaration order.
func Environments(p *api.FlinkPlatform) []string {
	names := make([]string, 0, len(p.Spec.Environments))
	for _, e := range p.Spec.Environments {
		names = append(names, e.Name)
	}
	return names
}

// CheckPlatform defaults and validates the platform as written, before any
// environment is resolved, so its problems are reported once; then checks
// that no two environments share a cluster (CheckClusters).
func CheckPlatform(p *input.Platform) problem.List {
	probs := platformProblems(p)
	if probs.HasErrors() {
		return probs
	}
	return append(probs, CheckClusters(p)...)
}

// platformProblems are the problems of the platform as written.
func platformProblems(p *input.Platform) problem.List {
	base := deepCopyPlatform(p.FlinkPlatform)
	base.Default()
	errs := append(base.Validate(), flinkVersionErrors(&base.Spec, "")...)
	errs = append(errs, nestedConfigErrors(p.NestedConfig, []string{"spec.flink.flinkConfiguration"}, OperatorVersion(&base.Spec))...)
	return fieldProblems(p.File, p.Ref(), errs, base.Spec.Policy.PlainTextCredentials)
}

// flinkVersionErrors checks the flinkVersion jobs inherit against the
// operator that will run them, once at the platform rather than in every job
// that inherits it. prefix roots the path in an environment's overrides.
func flinkVersionErrors(s *api.PlatformSpec, prefix string) field.ErrorList {
	v := s.Flink.FlinkVersion
	supported := api.SupportedFlinkVersions(OperatorVersion(s))
	if v == "" || contains(supported, v) {
		return nil
	}
	path := field.NewPath("spec", "flink", "flinkVersion")
	if prefix != "" {
		path = field.NewPath(prefix, "flink", "flinkVersion")
	}
	return field.ErrorList{field.Invalid(path, v, api.FlinkVersionHint(OperatorVersion(s), v))}
}

// Resolve builds the plan of one environment. Every problem in the platform's
// override for it or in any job is reported, not just the first. The plan is
// nil when the platform has problems; with problems only in jobs it holds
// the jobs without any, so the rest can still be rendered and checked.
func Resolve(set *input.Set, envName string) (*Plan, problem.List) {
	src := set.Platform
	var env *api.Environment
	envIndex := -1
	for i := range src.Spec.Environments {
		if src.Spec.Environments[i].Name == envName {
			env, envIndex = &src.Spec.Environments[i], i
		}
	}
	if env == nil {
		return nil, problem.List{problem.Errorf(src.File, src.Ref(), "spec.environments",
			"no environment %q; the platform defines %s", envName, strings.Join(Environments(src.FlinkPlatform), ", "))}
	}
	platform, probs := mergePlatform(src, env, envIndex)
	if platform == nil {
		return nil, probs
	}
	// Jobs are still checked against a platform with problems, so one run
	// reports everything; what they inherit from it is reported at the
	// platform, not again at every job.
	platformBroken := probs.HasErrors() || CheckPlatform(src).HasErrors()
	if !platformBroken {
		probs = append(probs, support.Warnings(src.File, src.Ref(), &platform.Spec)...)
		probs = append(probs, latestAMIWarnings(src, &platform.Spec)...)
	}
	pl := &Plan{Env: *env, Platform: platform, Source: src}
	pl.Env.ShortName = firstNonEmpty(env.ShortName, env.Name)
	envNames := Environments(src.FlinkPlatform)
	// Jobs resolve independently (each merges and validates a copy of its
	// own spec against the shared, read-only platform), on every core; the
	// plan keeps input order.
	type resolved struct {
		job   *Job
		probs problem.List
	}
	results := parallel.Map(set.Jobs, func(j *input.Job) resolved {
		probs := checkEnvironmentNames(j.File, j.Ref(), &j.Spec.PerEnvironment, envNames)
		if len(j.Spec.Only) > 0 && !contains(j.Spec.Only, envName) {
			return resolved{probs: probs}
		}
		rj, ps := resolveJob(j, envName, platform, platformBroken)
		return resolved{rj, append(probs, ps...)}
	})
	for _, r := range results {
		probs = append(probs, r.probs...)
		if r.job != nil {
			pl.Jobs = append(pl.Jobs, r.job)
		}
	}
	probs = append(probs, resolveSessionJobs(set, envName, pl, platform)...)
	if platformBroken {
		return nil, probs
	}
	return pl, probs
}

// DefaultOperatorVersion is the operator release a platform that pins none
// runs: the component default.
var DefaultOperatorVersion = api.ComponentDefaults[api.ComponentFlinkOperator].Version

// PlatformFor returns the platform of one environment, its overrides merged
// and defaulted, without resolving any job.
func PlatformFor(src *input.Platform, envName string) (*api.FlinkPlatform, problem.List) {
	for i := range src.Spec.Environments {
		if env := &src.Spec.Environments[i]; env.Name == envName {
			return mergePlatform(src, env, i)
		}
	}
	return nil, problem.List{problem.Errorf(src.File, src.Ref(), "spec.environments",
		"no environment %q; the platform defines %s", envName, strings.Join(Environments(src.FlinkPlatform), ", "))}
}

// OperatorVersion is the Flink operator release jobs are validated against.
func OperatorVersion(p *api.PlatformSpec) string {
	return firstNonEmpty(p.Components.FlinkOperator.Version, DefaultOperatorVersion)
}

func mergePlatform(src *input.Platform, env *api.Environment, envIndex int) (*api.FlinkPlatform, problem.List) {
	out := deepCopyPlatform(src.FlinkPlatform)
	if len(env.Overrides) > 0 && string(env.Overrides) != "null" {
		prefix := fmt.Sprintf("spec.environments[%d].overrides", envIndex)
		var probe api.PlatformSpec
		if probs := strictInto(env.Overrides, &probe, src.File, src.Ref(), prefix); len(probs) > 0 {
			return nil, probs
		}
		if probe.Environments != nil {
			return nil, problem.List{problem.Errorf(src.File, src.Ref(), prefix+".environments", "an environment cannot override the list of environments")}
		}
		base, err := json.Marshal(out.Spec)
		if err != nil {
			return nil, problem.List{problem.Errorf(src.File, src.Ref(), prefix, "internal error: %v", err)}
		}
		merged, err := jsonpatch.MergePatch(base, splitPodTemplates(env.Overrides, "flink"))
		if err != nil {
			return nil, problem.List{problem.Errorf(src.File, src.Ref(), prefix, "cannot merge: %v", err)}
		}
		var spec api.PlatformSpec
		if probs := strictInto(merged, &spec, src.File, src.Ref(), prefix); len(probs) > 0 {
			return nil, probs
		}
		if probs := mergeOverridePodTemplates(platformPodTemplates(&spec.Flink), platformPodTemplates(&probe.Flink), src.File, src.Ref(), prefix+".flink", "the platform's spec.flink."); len(probs) > 0 {
			return nil, probs
		}
		out.Spec = spec
	}
	out.Default()
	errs := out.Validate()
	if overridesFlinkVersion(env.Overrides) {
		errs = append(errs, flinkVersionErrors(&out.Spec, fmt.Sprintf("spec.environments[%d].overrides", envIndex))...)
	} else {
		errs = append(errs, flinkVersionErrors(&out.Spec, "")...)
	}
	errs = append(errs, nestedConfigErrors(src.NestedConfig, []string{"spec.flink.flinkConfiguration",
		fmt.Sprintf("spec.environments[%d].overrides.flink.flinkConfiguration", envIndex)}, OperatorVersion(&out.Spec))...)
	// What is wrong with the platform as written is reported once, by
	// CheckPlatform, not again for every environment.
	reported := map[string]bool{}
	for _, p := range platformProblems(src) {
		reported[p.Field+": "+p.Message] = true
	}
	var probs problem.List
	for _, p := range fieldProblems(src.File, src.Ref(), errs, out.Spec.Policy.PlainTextCredentials) {
		if !reported[p.Field+": "+p.Message] {
			p.Message = fmt.Sprintf("%s (in environment %s)", p.Message, env.Name)
			probs = append(probs, p)
		}
	}
	return out, probs
}

// overridesFlinkVersion tells whether an environment's overrides set spec.flink.flinkVersion.
func overridesFlinkVersion(overrides json.RawMessage) bool {
	var o struct {
		Flink struct {
			FlinkVersion *string `json:"flinkVersion"`
		} `json:"flink"`
	}
	return json.Unmarshal(overrides, &o) == nil && o.Flink.FlinkVersion != nil
}

// resolveJob merges, defaults and validates one job for an environment.
// When the platform has problems of its own (platformBroken), only problems
// in fields the job sets itself are reported: the rest come from the
// platform and are reported there.
func resolveJob(src *input.Job, envName string, platform *api.FlinkPlatform, platformBroken bool) (*Job, problem.List) {
	out := deepCopyJob(src.FlinkJobSpec)
	fields, probe, overridden, probs := mergeEnvironment(&out.Spec.JobFields, src.Spec.Environments[envName], src.File, src.Ref(), envName,
		func(o json.RawMessage) json.RawMessage { return splitPodTemplates(o) })
	if len(probs) > 0 {
		return nil, probs
	}
	if fields != nil {
		if probs := mergeOverridePodTemplates(jobPodTemplates(fields), jobPodTemplates(probe), src.File, src.Ref(), "spec.environments."+envName, "the job's "); len(probs) > 0 {
			return nil, probs
		}
		out.Spec.JobFields = *fields
	}
	out.Default(&platform.Spec)
	errs := out.Validate(api.JobContext{Platform: &platform.Spec, OperatorVersion: OperatorVersion(&platform.Spec)})
	own := ownFields(src.FlinkJobSpec)
	for _, p := range fieldProblems(src.File, src.Ref(), errs, platform.Spec.Policy.PlainTextCredentials) {
		top, ok := topField(p.Field)
		switch {
		case ok && overridden[top]:
			// Point at the override when the bad value came from it.
			p.Field = "spec.environments." + envName + p.Field[len("spec"):]
		case p.Field == "spec.flinkVersion" && !own[top]:
			continue // inherited from the platform, checked there
		case platformBroken && ok && !own[top]:
			continue
		}
		probs = append(probs, p)
	}
	probs = append(probs, problem.FromFieldErrors(src.File, src.Ref(), nestedConfigErrors(src.NestedConfig,
		[]string{"spec.flinkConfiguration", "spec.environments." + envName + ".flinkConfiguration"}, OperatorVersion(&platform.Spec)))...)
	if why := ReservedNamespace(&platform.Spec, envName, out.Metadata.Namespace); why != "" {
		probs = append(probs, problem.Errorf(src.File, src.Ref(), "metadata.namespace",
			"job %s cannot run in namespace %s: %s, and krm-flink would label a job namespace Pod Security restricted and let its ServiceAccounts write Deployments; give the job a namespace of its own",
			out.Metadata.Name, out.Metadata.Namespace, why))
	}
	probs = append(probs, savepointWithoutHA(src, out, &platform.Spec)...)
	probs = append(probs, statePolicy(src, out, &platform.Spec, envName, overridden)...)
	if !probs.HasErrors() {
		probs = append(probs, configKeyWarnings(src, out)...)
	}
	if probs.HasErrors() {
		return nil, probs
	}
	return &Job{FlinkJobSpec: out, Source: src}, probs
}

// latestAMIWarnings warns about an EC2NodeClass that follows the newest AMI
// of its family: Karpenter sees every AMI AWS publishes as drift and
// replaces the nodes, and each replaced node restarts the Flink jobs on it.
func latestAMIWarnings(src *input.Platform, s *api.PlatformSpec) problem.List {
	k := &s.Nodes.Karpenter
	if !*k.Enabled || k.APIVersion != api.KarpenterV1 {
		return nil
	}
	var out problem.List
	for i, t := range k.NodeClass.AMISelectorTerms {
		if !api.LatestAMIAlias(t.Alias) {
			continue
		}
		pin := "pin a version, e.g. " + strings.TrimSuffix(t.Alias, "latest") + pinExample(t.Alias)
		if strings.HasPrefix(t.Alias, "windows") {
			pin = "Windows aliases take only latest: select a pinned AMI by id instead"
		}
		out = append(out, problem.Warningf(src.File, src.Ref(), fmt.Sprintf("spec.nodes.karpenter.nodeClass.amiSelectorTerms[%d].alias", i),
			"%s follows the newest AMI: whenever AWS publishes one, Karpenter replaces every node as drifted and the Flink jobs on them restart; %s",
			t.Alias, pin))
	}
	return out
}

// pinExample is an example version of an alias's family, in that family's
// version format.
func pinExample(alias string) string {
	if strings.HasPrefix(alias, "bottlerocket@") {
		return "v1.20.0"
	}
	return "v20240807"
}

// savepointWithoutHA warns about a savepoint-mode job without high
// availability on nodes Karpenter expires: an expiry drains the node and
// restarts the JobManager, which without HA knows no checkpoint and starts
// from the last savepoint, replaying (or, with sinks that are not
// idempotent, duplicating) everything since.
func savepointWithoutHA(src *input.Job, j *api.FlinkJobSpec, p *api.PlatformSpec) problem.List {
	s := &j.Spec.JobFields
	if j.IsSession() || s.UpgradeMode != "savepoint" || s.HighAvailability() || !*p.Nodes.Karpenter.Enabled || s.Nodes == nil || s.Nodes.ExpireAfter == "Never" {
		return nil
	}
	return problem.List{problem.Warningf(src.File, src.Ref(), "spec.upgradeMode",
		"job %s runs upgradeMode savepoint without high availability on nodes Karpenter expires after %s (spec.nodes.expireAfter): each expiry restarts the JobManager from the last savepoint, not the last checkpoint; set high-availability.type: kubernetes with high-availability.storageDir and state.checkpoints.dir, or expireAfter: Never",
		j.Metadata.Name, s.Nodes.ExpireAfter)}
}

// ownFields are the top-level spec fields a job sets itself.
func ownFields(j *api.FlinkJobSpec) map[string]bool {
	data, err := json.Marshal(j.Spec.JobFields)
	var keys map[string]json.RawMessage
	if err == nil {
		_ = json.Unmarshal(data, &keys)
	}
	own := make(map[string]bool, len(keys))
	for k := range keys {
		own[k] = true
	}
	return own
}

// topField returns "parallelism" for "spec.parallelism" or "spec.nodes.limits.cpu".
func topField(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "spec.")
	if !ok {
		return "", false
	}
	end := strings.IndexAny(rest, ".[")
	if end < 0 {
		return rest, true
	}
	return rest[:end], true
}

func strictInto(data []byte, v any, file string, ref problem.ObjectRef, prefix string) problem.List {
	return input.StrictDecode(data, v, file, ref, prefix)
}

func deepCopyPlatform(p *api.FlinkPlatform) *api.FlinkPlatform {
	out := &api.FlinkPlatform{}
	mustRoundTrip(p, out)
	return out
}

func deepCopyJob(j *api.FlinkJobSpec) *api.FlinkJobSpec {
	out := &api.FlinkJobSpec{}
	mustRoundTrip(j, out)
	return out
}

// mustRoundTrip deep-copies through JSON; the types are plain data, so it cannot fail.
func mustRoundTrip(in, out any) {
	b, err := json.Marshal(in)
	if err == nil {
		err = json.Unmarshal(b, out)
	}
	if err != nil {
		panic(fmt.Sprintf("plan: deep copy of plain data failed: %v", err))
	}
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}
