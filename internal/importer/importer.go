// Package importer turns the FlinkDeployments a team already runs (as kept
// in Git, or as kubectl get -o yaml prints them) into FlinkJobSpecs, one per
// job, leaving out what the platform provides. The round trip is its
// contract: rendering the imported specs with the platform gives back each
// original object's metadata and spec plus only the platform's documented
// additions (Compare); whatever would differ is an error naming the object
// and the field, or, when loss is allowed, a warning.
package importer

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/render"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Options are what one import reads.
type Options struct {
	// Files are files and folders of Flink operator objects.
	Files []string
	// Platform is the FlinkPlatform file the jobs will be rendered with.
	Platform string
	// Env is the platform environment the objects run in; may be empty
	// when the platform has one.
	Env string
	// Owner is the owner of jobs whose object names none.
	Owner string
	// Namespace is the namespace of objects that have none.
	Namespace string
	// AllowLoss writes the jobs even when fields would be lost, warning
	// about each instead of failing.
	AllowLoss bool
}

// Job is one imported job, session cluster or session job: one file.
type Job struct {
	Source *Object
	// Spec is the FlinkJobSpec (or FlinkSessionSpec) of a FlinkDeployment
	// or FlinkBlueGreenDeployment; nil for a FlinkSessionJob.
	Spec *api.FlinkJobSpec
	// SessionJob is the FlinkSessionJobSpec of a FlinkSessionJob.
	SessionJob *api.FlinkSessionJobSpec
	// Path is the job's file, <namespace>/<name>.yaml, slash-separated.
	Path string
	// Data is the file's content.
	Data []byte
	// Rendered is the object the platform renders for the spec, of the
	// Source's kind.
	Rendered map[string]any
	// Differences between the original and Rendered (Compare).
	Differences []Difference
	// Snapshots are the FlinkStateSnapshots imported into the job's
	// spec.snapshots, by name.
	Snapshots []*Snapshot
	// restrictedViolations are why the job's pods fail the restricted Pod
	// Security Standard, when import lowered its podSecurity.
	restrictedViolations string
}

// Snapshot is one FlinkStateSnapshot imported into its job's spec.snapshots.
type Snapshot struct {
	Source *Object
	// Name is the item's name: the object's without "<job>-".
	Name string
	Spec api.Snapshot
	// Rendered is the FlinkStateSnapshot the platform renders for the item.
	Rendered    map[string]any
	Differences []Difference
}

// Meta is the metadata of the job's spec.
func (j *Job) Meta() api.ObjectMeta {
	if j.SessionJob != nil {
		return j.SessionJob.Metadata
	}
	return j.Spec.Metadata
}

// InputKind is the kind of the job's spec.
func (j *Job) InputKind() string {
	if j.SessionJob != nil {
		return j.SessionJob.Kind
	}
	return j.Spec.Kind
}

// Result is a successful import: the jobs by namespace and name, the
// objects kept as they are, and the warnings (lost fields with AllowLoss,
// skipped objects, render warnings).
type Result struct {
	Env  string
	Jobs []*Job
	// Kept are the objects written as objects of the team's own, by path.
	Kept     []*Kept
	Warnings problem.List
	// Losses are the fields lost, as warnings, when AllowLoss is set.
	Losses problem.List
}

// Import reads the objects, maps each FlinkDeployment and
// FlinkBlueGreenDeployment to a FlinkJobSpec (a FlinkSessionSpec when it
// has no spec.job), each FlinkSessionJob to a FlinkSessionJobSpec and each
// FlinkStateSnapshot to an item of its job's spec.snapshots (one naming no
// job, registering a savepoint, is kept as it is), renders them
// all with the platform and compares every rendered object with its
// original. Every problem of the run comes back
// at once, as a problem.List error; nothing is written.
func Import(o Options) (*Result, error) {
	platform, env, probs := readPlatform(o.Platform, o.Env)
	objs, ps := Read(o.Files, o.Namespace)
	probs = append(probs, ps...)
	if platform == nil {
		return nil, probs
	}
	// Objects are still imported next to problems in other objects, so
	// one run reports every problem; a broken platform stops here.
	resolved, ps := resolve.PlatformFor(platform, env)
	probs = append(probs, ps...)
	if resolved == nil || ps.HasErrors() {
		return nil, probs
	}

	roles := Roles(o.Files)
	var jobs []*Job
	var sessionJobs, snapshots []*Object
	for _, obj := range objs {
		switch obj.Kind() {
		case KindSessionJob:
			sessionJobs = append(sessionJobs, obj)
			continue
		case KindSnapshot:
			snapshots = append(snapshots, obj)
			continue
		}
		norm := Normalize(obj.Data)
		if obj.Kind() == KindBlueGreen {
			norm = blueGreenView(norm)
		}
		spec, ps := buildSpec(obj, norm, &resolved.Spec, o.Owner, roles)
		probs = append(probs, ps...)
		if spec == nil {
			continue
		}
		if obj.Kind() == KindBlueGreen && spec.Spec.BlueGreen == nil {
			spec.Spec.BlueGreen = &api.BlueGreen{} // the kind says so, even without settings
		}
		jobs = append(jobs, &Job{Source: obj, Spec: spec})
	}
	// Every session cluster read counts, imported or not: one that fails
	// is reported by itself, not again at each of its session jobs.
	sessions := map[string]bool{}
	for _, obj := range objs {
		if _, hasJob, _ := unstructured.NestedFieldNoCopy(obj.Data, "spec", "job"); obj.Kind() == KindDeployment && !hasJob {
			sessions[obj.Namespace()+"/"+obj.Name()] = true
		}
	}
	for _, obj := range sessionJobs {
		spec, ps := buildSessionJob(obj, Normalize(obj.Data), o.Owner)
		probs = append(probs, ps...)
		if spec == nil {
			continue
		}
		if !sessions[spec.Metadata.Namespace+"/"+spec.Spec.Session] {
			probs = append(probs, problem.Errorf(obj.where(), obj.Ref(), "spec.deploymentName",
				"names the session cluster %s/%s, which is not among the imported objects: import its FlinkDeployment (one without spec.job) with it", spec.Metadata.Namespace, firstNonEmpty(spec.Spec.Session, "(none)")))
			continue
		}
		jobs = append(jobs, &Job{Source: obj, SessionJob: spec})
	}
	snapshots, kept, ps := keepOrphanSnapshots(snapshots)
	probs = append(probs, ps...)
	probs = append(probs, attachSnapshots(snapshots, jobs)...)
	for _, j := range jobs {
		var spec any = j.Spec
		if j.SessionJob != nil {
			spec = j.SessionJob
		}
		data, err := Marshal(spec)
		if err != nil {
			return nil, err
		}
		meta := j.Meta()
		j.Data, j.Path = data, path.Join(meta.Namespace, meta.Name+".yaml")
	}
	sort.SliceStable(jobs, func(i, j int) bool { return jobs[i].Path < jobs[j].Path })
	jobs, shared := withoutSharedPaths(jobs)
	probs = append(probs, shared...)
	kept, shared = keptPathsFree(kept, jobs)
	probs = append(probs, shared...)
	if len(jobs) == 0 && len(kept) == 0 {
		if !probs.HasErrors() {
			probs = append(probs, problem.Errorf(strings.Join(o.Files, ", "), problem.ObjectRef{}, "", "no FlinkDeployment, FlinkBlueGreenDeployment or FlinkSessionJob to import"))
		}
		return nil, probs
	}
	warnings, ps := renderBack(platform, env, jobs, kept)
	probs = append(probs, ps...)
	var losses problem.List
	for _, j := range jobs {
		if j.Rendered == nil {
			continue
		}
		j.Differences = Compare(j.Source.Data, j.Rendered)
		losses = append(losses, lossProblems(j.Source, j.Path, j.Differences, o.AllowLoss)...)
		for _, s := range j.Snapshots {
			if s.Rendered != nil {
				s.Differences = Compare(s.Source.Data, s.Rendered)
				losses = append(losses, lossProblems(s.Source, j.Path, s.Differences, o.AllowLoss)...)
			}
		}
	}
	for _, k := range kept {
		if k.Rendered != nil {
			k.Differences = Compare(k.Source.Data, k.Rendered)
			losses = append(losses, lossProblems(k.Source, k.Path, k.Differences, o.AllowLoss)...)
		}
	}
	if losses.HasErrors() || probs.HasErrors() {
		return nil, append(append(probs, warnings...), losses...)
	}
	return &Result{Env: env, Jobs: jobs, Kept: kept, Warnings: append(probs, warnings...), Losses: losses}, nil
}

// withoutSharedPaths reports a job whose file another job of another kind
// (a FlinkDeployment and a FlinkSessionJob of one name) already takes:
// the input kinds share one name space per namespace.
func withoutSharedPaths(jobs []*Job) ([]*Job, problem.List) {
	var probs problem.List
	var out []*Job
	for i, j := range jobs {
		if i > 0 && jobs[i-1].Path == j.Path {
			probs = append(probs, problem.Errorf(j.Source.where(), j.Source.Ref(), "metadata.name",
				"%s %s has the same name: krm-flink jobs, session clusters and session jobs share one name per namespace", jobs[i-1].Source.Kind(), jobs[i-1].Source.Name()))
			continue
		}
		out = append(out, j)
	}
	return out, probs
}

// lossProblems are an object's lost fields: errors, or warnings that name
// the file (file) still written when loss is allowed.
func lossProblems(src *Object, file string, ds []Difference, allow bool) problem.List {
	var out problem.List
	for _, d := range Lost(ds) {
		p := problem.Errorf(src.where(), src.Ref(), d.Path, "%s", d.Describe())
		if allow {
			p = problem.Warningf(src.where(), src.Ref(), d.Path, "%s (--allow-loss: %s written anyway)", d.Describe(), file)
		}
		out = append(out, p)
	}
	return out
}

// readPlatform reads the FlinkPlatform of a file (or of the files of a
// folder, as render finds them) and picks the environment.
func readPlatform(file, env string) (*input.Platform, string, problem.List) {
	if file == "" {
		return nil, "", problem.List{problem.Errorf("", problem.ObjectRef{}, "", "no platform: give --platform with the FlinkPlatform file")}
	}
	docs, probs := input.ReadDocuments([]string{file})
	var platformDocs []*input.Document
	for _, d := range docs {
		if d.Type.Kind == api.KindPlatform {
			platformDocs = append(platformDocs, d)
		}
	}
	if len(platformDocs) == 0 && !probs.HasErrors() {
		return nil, "", problem.List{problem.Errorf(file, problem.ObjectRef{}, "", "holds no %s", api.KindPlatform)}
	}
	set, ps := input.Collect(platformDocs, input.Options{Incomplete: probs.HasErrors()})
	probs = append(probs, ps...)
	if set.Platform == nil || probs.HasErrors() {
		return nil, "", probs
	}
	if probs := resolve.CheckPlatform(set.Platform); probs.HasErrors() {
		return nil, "", probs
	}
	envs := resolve.Environments(set.Platform.FlinkPlatform)
	switch {
	case env != "":
	case len(envs) == 1:
		env = envs[0]
	default:
		return nil, "", problem.List{problem.Errorf(file, set.Platform.Ref(), "spec.environments",
			"the platform has several environments (%s): choose the one the objects run in with --env", strings.Join(envs, ", "))}
	}
	return set.Platform, env, probs
}

// renderBack renders the imported specs with the platform, as render
// would read them from their files, and sets each job's Rendered object.
// Problems about a spec are reported at the object it was imported from.
// A job whose pods fail its Pod Security level is rendered again at the
// next lower one (lowerPodSecurity).
func renderBack(platform *input.Platform, env string, jobs []*Job, kept []*Kept) (problem.List, problem.List) {
	byPath := map[string]*Job{}
	for _, j := range jobs {
		byPath[j.Path] = j
	}
	for {
		warnings, probs := renderSome(platform, env, jobs, kept, byPath)
		lowered, err := lowerPodSecurity(probs, byPath)
		if err != nil {
			return nil, problem.List{problem.Errorf("", problem.ObjectRef{}, "", "%v", err)}
		}
		if lowered {
			continue
		}
		var ps problem.List
		for _, j := range jobs {
			if j.restrictedViolations != "" {
				ps = append(ps, problem.Warningf(j.Source.where(), j.Source.Ref(), "spec.podSecurity",
					"job %s: its pods, as krm-flink renders them, do not meet the %s Pod Security Standard (%s): imported with podSecurity: %s so that it runs as it does; make its pod templates meet %s and remove podSecurity",
					j.Spec.Metadata.Name, api.PodSecurityRestricted, j.restrictedViolations, j.Spec.Spec.PodSecurity, api.PodSecurityRestricted))
			}
		}
		if probs.HasErrors() {
			return nil, append(ps, atKept(atSources(probs, byPath), kept)...)
		}
		return append(ps, warnings...), nil
	}
}

// renderSome renders the jobs; when some fail, the others are rendered
// again without them, so their differences are reported in the same run.
// Its problems name the specs' files (see atSources).
func renderSome(platform *input.Platform, env string, jobs []*Job, kept []*Kept, byPath map[string]*Job) (problem.List, problem.List) {
	warnings, probs := renderJobs(platform, env, jobs, kept, byPath)
	if !probs.HasErrors() {
		return warnings, nil
	}
	failed := map[string]bool{}
	for _, p := range probs {
		if p.Severity != problem.Warning {
			failed[p.File] = true
		}
	}
	var rest []*Job
	for _, j := range jobs {
		if !failed[j.Path] {
			rest = append(rest, j)
		}
	}
	var restKept []*Kept
	for _, k := range kept {
		if !failed[k.Path] {
			restKept = append(restKept, k)
		}
	}
	if len(rest)+len(restKept) < len(jobs)+len(kept) && len(rest)+len(restKept) > 0 {
		w, ps := renderJobs(platform, env, rest, restKept, byPath)
		if !ps.HasErrors() {
			probs = append(probs, w...)
		}
	}
	return nil, onlyJobs(probs, byPath)
}

// renderJobs renders some of the jobs, with the kept objects, and sets
// their Rendered objects.
func renderJobs(platform *input.Platform, env string, jobs []*Job, kept []*Kept, byPath map[string]*Job) (problem.List, problem.List) {
	var docs []*input.Document
	files := map[string][]byte{}
	for _, j := range jobs {
		files[j.Path] = j.Data
	}
	for _, k := range kept {
		files[k.Path] = k.Data
	}
	for _, file := range slices.Sorted(maps.Keys(files)) {
		d, probs := input.SplitDocuments(file, files[file])
		if probs.HasErrors() {
			return nil, probs
		}
		docs = append(docs, d...)
	}
	set, probs := input.Collect(docs, input.Options{Platform: platform})
	if probs.HasErrors() {
		return nil, probs
	}
	r, err := render.New(set)
	if err != nil {
		return nil, asProblems(err)
	}
	res, err := r.Render(env)
	if err != nil {
		return nil, asProblems(err)
	}
	// Each original is matched with the object of its own kind and name.
	rendered := map[string]*map[string]any{}
	for _, j := range jobs {
		rendered[j.Source.Kind()+"/"+j.Source.Namespace()+"/"+j.Source.Name()] = &j.Rendered
		for _, s := range j.Snapshots {
			rendered[KindSnapshot+"/"+s.Source.Namespace()+"/"+s.Source.Name()] = &s.Rendered
		}
	}
	for _, k := range kept {
		rendered[k.Source.Kind()+"/"+k.Source.Namespace()+"/"+k.Source.Name()] = &k.Rendered
	}
	for _, obj := range res.Objects {
		if r := rendered[obj.GetKind()+"/"+obj.GetNamespace()+"/"+obj.GetName()]; r != nil {
			*r = obj.Object
		}
	}
	for _, j := range jobs {
		if j.Rendered == nil {
			probs = append(probs, problem.Errorf(j.Path, problem.ObjectRef{}, "", "internal error: the platform rendered no %s for the imported job", j.Source.Kind()))
		}
		for _, s := range j.Snapshots {
			if s.Rendered == nil {
				probs = append(probs, problem.Errorf(j.Path, problem.ObjectRef{}, "", "internal error: the platform rendered no %s %s", KindSnapshot, s.Source.Name()))
			}
		}
	}
	for _, k := range kept {
		if k.Rendered == nil {
			probs = append(probs, problem.Errorf(k.Path, problem.ObjectRef{}, "", "internal error: render did not pass the object through"))
		}
	}
	return atSources(onlyJobs(res.Warnings, byPath), byPath), probs
}

// onlyJobs drops the warnings about the platform itself (fixture charts,
// versions): they are render's to give; import passes on those about jobs.
func onlyJobs(probs problem.List, byPath map[string]*Job) problem.List {
	var out problem.List
	for _, p := range probs {
		if p.Severity != problem.Warning || byPath[p.File] != nil {
			out = append(out, p)
		}
	}
	return out
}

func asProblems(err error) problem.List {
	if ps, ok := err.(problem.List); ok {
		return ps
	}
	return problem.List{problem.Errorf("", problem.ObjectRef{}, "", "%v", err)}
}

// atSources moves problems about an imported spec to the object it came
// from, naming the spec's field.
func atSources(probs problem.List, byPath map[string]*Job) problem.List {
	out := make(problem.List, len(probs))
	for i, p := range probs {
		if j := byPath[p.File]; j != nil {
			field := "spec"
			if p.Field != "" {
				field = p.Field
			}
			p.Message = fmt.Sprintf("the imported %s %s: %s", j.InputKind(), field, p.Message)
			p.File, p.Object, p.Field = j.Source.where(), j.Source.Ref(), ""
		}
		out[i] = p
	}
	return out
}

// nextPodSecurity is the level tried when a job's pods fail one.
var nextPodSecurity = map[string]string{
	api.PodSecurityRestricted: api.PodSecurityBaseline,
	api.PodSecurityBaseline:   api.PodSecurityPrivileged,
}

// lowerPodSecurity keeps a job running as it does when its pods, as
// krm-flink renders them, fail the restricted Pod Security Standard: a job
// whose original names no level (no krm-flink.io/pod-security annotation)
// gets the next lower spec.podSecurity, and its restricted violations are
// kept for the warning renderBack gives, so the team sees them and can fix
// the pods instead. probs are a render's problems, before atSources; it
// tells whether it lowered a job.
func lowerPodSecurity(probs problem.List, byPath map[string]*Job) (bool, error) {
	done := map[*Job]bool{}
	for _, p := range probs {
		j := byPath[p.File]
		if j == nil || j.Spec == nil || done[j] || p.Severity == problem.Warning || p.Field != "spec.podTemplate" {
			continue
		}
		level := firstNonEmpty(j.Spec.Spec.PodSecurity, api.PodSecurityRestricted)
		next := nextPodSecurity[level]
		why, ok := podSecurityViolations(p.Message, level)
		if !ok || next == "" || stringMap(metadata(j.Source.Data)["annotations"])[podSecurityAnnotation] != "" {
			continue
		}
		done[j] = true
		if level == api.PodSecurityRestricted {
			j.restrictedViolations = why
		}
		j.Spec.Spec.PodSecurity = next
		data, err := Marshal(j.Spec)
		if err != nil {
			return false, err
		}
		j.Data = data
	}
	return len(done) > 0, nil
}

// podSecurityViolations reads the violations out of the render's error
// about a job's pods failing level; ok is false for any other error.
func podSecurityViolations(msg, level string) (string, bool) {
	_, rest, ok := strings.Cut(msg, "do not meet the "+level+" Pod Security Standard: ")
	if !ok {
		return "", false
	}
	why, _, _ := strings.Cut(rest, "; change the pod templates")
	return why, true
}
