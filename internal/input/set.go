package input

import (
	"fmt"
	"sort"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/parallel"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// IsInputKind tells whether a document is one of krm-flink's input kinds.
func IsInputKind(t TypeMeta) bool {
	return t.APIVersion == api.APIVersion && (t.Kind == api.KindPlatform || api.IsInputJobKind(t.Kind))
}

// Options tune Collect.
type Options struct {
	// IgnoreOtherKinds skips documents that are not input kinds instead of
	// reporting them: a KRM function sees every resource of its package.
	IgnoreOtherKinds bool
	// Platform, when set, is the platform; documents must not hold another.
	Platform *Platform
	// Incomplete says some input could not be read: a missing platform may
	// be in it, so that is not reported again.
	Incomplete bool
}

// Collect decodes documents into one platform and its jobs, reporting every
// problem at once: a missing or second platform, a job defined twice.
func Collect(docs []*Document, opts Options) (*Set, problem.List) {
	set := &Set{Platform: opts.Platform}
	var probs problem.List
	var platforms []*Platform
	// Documents decode and validate on every core.
	for _, d := range parallel.Map(docs, func(d *Document) decoded { return decode(d, opts) }) {
		probs = append(probs, d.probs...)
		switch {
		case d.platform != nil:
			platforms = append(platforms, d.platform)
		case d.sessionJob != nil:
			set.SessionJobs = append(set.SessionJobs, d.sessionJob)
		case d.job != nil:
			set.Jobs = append(set.Jobs, d.job)
		case d.extra != nil:
			set.Extras = append(set.Extras, d.extra)
		}
	}
	switch {
	case set.Platform != nil && len(platforms) > 0 && !opts.IgnoreOtherKinds:
		for _, p := range platforms {
			probs = append(probs, problem.Errorf(p.File, p.Ref(), "", "a second %s; the function's config already is the platform", api.KindPlatform))
		}
	case set.Platform != nil:
	case len(platforms) == 1:
		set.Platform = platforms[0]
	case len(platforms) == 0 && !probs.HasErrors() && !opts.Incomplete:
		probs = append(probs, problem.Errorf("", problem.ObjectRef{}, "", "no %s found; exactly one is required", api.KindPlatform))
	case len(platforms) > 1:
		for _, p := range platforms[1:] {
			probs = append(probs, problem.Errorf(p.File, p.Ref(), "",
				"a second %s (the first is %s in %s); exactly one is allowed", api.KindPlatform, platforms[0].Metadata.Name, platforms[0].File))
		}
	}
	// Sorting first makes the report independent of input order: the job in
	// the file that sorts last is the duplicate.
	sortJobs(set.Jobs)
	ps, jobs := checkDuplicates(set.Jobs, byName, func(j *Job) string { return j.File }, duplicateJob("job"))
	probs, set.Jobs = append(probs, ps...), jobs
	sortSessionJobs(set.SessionJobs)
	ps, sessionJobs := checkDuplicates(set.SessionJobs, byName, func(j *SessionJob) string { return j.File }, duplicateJob("session job"))
	probs, set.SessionJobs = append(probs, ps...), sessionJobs
	SortExtras(set.Extras)
	ps, extras := checkDuplicates(set.Extras, func(e *Extra) string { return e.Object.ID() }, func(e *Extra) string { return e.File },
		func(_, where string) string { return "duplicate object: already defined in " + where })
	probs, set.Extras = append(probs, ps...), extras
	if set.Platform != nil {
		var envs []string
		for _, e := range set.Platform.Spec.Environments {
			envs = append(envs, e.Name)
		}
		probs = append(probs, CheckExtraEnvironments(set.Extras, envs)...)
	}
	return set, probs
}

// checkDuplicates reports every object whose key an earlier one has and
// returns the objects without them, so the rest can still be checked.
// message words the problem, given the key and the first one's file.
func checkDuplicates[T interface{ Ref() problem.ObjectRef }](objs []T, key, file func(T) string, message func(key, where string) string) (problem.List, []T) {
	var probs problem.List
	var kept []T
	first := map[string]T{}
	for _, o := range objs {
		k := key(o)
		if prev, ok := first[k]; ok {
			where := file(prev)
			if where == file(o) {
				where = "the same file"
			}
			probs = append(probs, problem.Errorf(file(o), o.Ref(), "metadata.name", "%s", message(k, where)))
			continue
		}
		first[k] = o
		kept = append(kept, o)
	}
	return probs, kept
}

// byName keys a job or session job by namespace and name.
func byName[T interface{ Ref() problem.ObjectRef }](o T) string {
	ref := o.Ref()
	return ref.Namespace + "/" + ref.Name
}

// duplicateJob words a job of kind what (a job, a session job) defined twice.
func duplicateJob(what string) func(key, where string) string {
	return func(key, where string) string {
		return fmt.Sprintf("duplicate %s: %s is already defined in %s", what, key, where)
	}
}

// SortExtras orders objects by identity, then file, so input order never matters.
func SortExtras(extras []*Extra) {
	sort.SliceStable(extras, func(a, b int) bool {
		if x, y := extras[a].Object.ID(), extras[b].Object.ID(); x != y {
			return x < y
		}
		return extras[a].File < extras[b].File
	})
}

// sortJobs orders jobs by namespace and name so input order never matters.
func sortJobs(jobs []*Job) {
	sort.SliceStable(jobs, func(a, b int) bool {
		x, y := jobs[a].Metadata, jobs[b].Metadata
		if x.Namespace != y.Namespace {
			return x.Namespace < y.Namespace
		}
		if x.Name != y.Name {
			return x.Name < y.Name
		}
		return jobs[a].File < jobs[b].File
	})
}

// String names a job as namespace/name.
func (j *Job) String() string {
	return fmt.Sprintf("%s/%s", j.Metadata.Namespace, j.Metadata.Name)
}

// decoded is one document decoded as what its kind says.
type decoded struct {
	platform   *Platform
	job        *Job
	sessionJob *SessionJob
	extra      *Extra
	probs      problem.List
}

func decode(d *Document, opts Options) decoded {
	var out decoded
	switch {
	case d.Type.APIVersion == api.APIVersion && d.Type.Kind == api.KindPlatform:
		out.platform, out.probs = DecodePlatform(d)
	case d.Type.APIVersion == api.APIVersion && d.Type.Kind == api.KindSessionJob:
		out.sessionJob, out.probs = DecodeSessionJob(d)
	case d.Type.APIVersion == api.APIVersion && (d.Type.Kind == api.KindJob || d.Type.Kind == api.KindSession):
		out.job, out.probs = DecodeJob(d)
	case opts.IgnoreOtherKinds:
	case d.Type.Kind == api.KindPlatform || api.IsInputJobKind(d.Type.Kind):
		out.probs = problem.List{problem.Errorf(d.File, d.Ref(), "apiVersion", "unsupported apiVersion %q; krm-flink reads %s", d.Type.APIVersion, api.APIVersion)}
	default:
		out.extra, out.probs = DecodeExtra(d)
	}
	return out
}
