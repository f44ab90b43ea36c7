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
	"os"
	"path"
	"sort"
	"strings"

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

// Job is one imported job.
type Job struct {
	Source *Object
	Spec   *api.FlinkJobSpec
	// Path is the job's file, <namespace>/<name>.yaml, slash-separated.
	Path string
	// Data is the file's content.
	Data []byte
	// Rendered is the FlinkDeployment the platform renders for Spec.
	Rendered map[string]any
	// Differences between the original and Rendered (Compare).
	Differences []Difference
}

// Result is a successful import: the jobs by namespace and name, and the
// warnings (lost fields with AllowLoss, skipped objects, render warnings).
type Result struct {
	Env      string
	Jobs     []*Job
	Warnings problem.List
	// Losses are the fields lost, as warnings, when AllowLoss is set.
	Losses problem.List
}

// Import reads the objects, maps each FlinkDeployment to a FlinkJobSpec,
// renders them all with the platform and compares every rendered
// FlinkDeployment with its original. Every problem of the run comes back
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
	for _, obj := range objs {
		norm := Normalize(obj.Data)
		if _, ok := norm["spec"].(map[string]any)["job"]; !ok {
			probs = append(probs, problem.Errorf(obj.where(), obj.Ref(), "spec.job",
				"not yet supported: a FlinkDeployment without spec.job is a session cluster, and krm-flink has no input kind for one"))
			continue
		}
		spec, ps := buildSpec(obj, norm, &resolved.Spec, o.Owner, roles)
		probs = append(probs, ps...)
		if spec == nil {
			continue
		}
		data, err := Marshal(spec)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, &Job{Source: obj, Spec: spec, Data: data,
			Path: path.Join(spec.Metadata.Namespace, spec.Metadata.Name+".yaml")})
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].Path < jobs[j].Path })
	if len(jobs) == 0 {
		if !probs.HasErrors() {
			probs = append(probs, problem.Errorf(strings.Join(o.Files, ", "), problem.ObjectRef{}, "", "no FlinkDeployment to import"))
		}
		return nil, probs
	}
	warnings, ps := renderBack(platform, env, jobs)
	probs = append(probs, ps...)
	var losses problem.List
	for _, j := range jobs {
		if j.Rendered == nil {
			continue
		}
		j.Differences = Compare(j.Source.Data, j.Rendered)
		losses = append(losses, lossProblems(j, o.AllowLoss)...)
	}
	if losses.HasErrors() || probs.HasErrors() {
		return nil, append(append(probs, warnings...), losses...)
	}
	return &Result{Env: env, Jobs: jobs, Warnings: append(probs, warnings...), Losses: losses}, nil
}

// lossProblems are a job's lost fields: errors, or warnings that name the
// file still written when loss is allowed.
func lossProblems(j *Job, allow bool) problem.List {
	var out problem.List
	for _, d := range Lost(j.Differences) {
		p := problem.Errorf(j.Source.where(), j.Source.Ref(), d.Path, "%s", d.Describe())
		if allow {
			p = problem.Warningf(j.Source.where(), j.Source.Ref(), d.Path, "%s (--allow-loss: %s written anyway)", d.Describe(), j.Path)
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
	files, probs := inputFiles([]string{file})
	var platformDocs []*input.Document
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			probs = append(probs, problem.Errorf(f, problem.ObjectRef{}, "", "cannot read: %v", pathError(err)))
			continue
		}
		docs, ps := input.SplitDocuments(f, data)
		probs = append(probs, ps...)
		for _, d := range docs {
			if d.Type.Kind == api.KindPlatform {
				platformDocs = append(platformDocs, d)
			}
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
// When some specs fail, the others are rendered again without them, so
// their differences are reported in the same run.
func renderBack(platform *input.Platform, env string, jobs []*Job) (problem.List, problem.List) {
	byPath := map[string]*Job{}
	for _, j := range jobs {
		byPath[j.Path] = j
	}
	warnings, probs := renderJobs(platform, env, jobs, byPath)
	if !probs.HasErrors() {
		return warnings, nil
	}
	failed := map[*Job]bool{}
	for _, p := range probs {
		if j := byPath[p.File]; j != nil && p.Severity != problem.Warning {
			failed[j] = true
		}
	}
	var rest []*Job
	for _, j := range jobs {
		if !failed[j] {
			rest = append(rest, j)
		}
	}
	if len(failed) > 0 && len(rest) > 0 {
		w, ps := renderJobs(platform, env, rest, byPath)
		if !ps.HasErrors() {
			probs = append(probs, w...)
		}
	}
	return nil, atSources(onlyJobs(probs, byPath), byPath)
}

// renderJobs renders some of the jobs and sets their Rendered objects.
func renderJobs(platform *input.Platform, env string, jobs []*Job, byPath map[string]*Job) (problem.List, problem.List) {
	var docs []*input.Document
	for _, j := range jobs {
		d, probs := input.SplitDocuments(j.Path, j.Data)
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
	byName := map[string]*Job{}
	for _, j := range jobs {
		byName[j.Spec.Metadata.Namespace+"/"+j.Spec.Metadata.Name] = j
	}
	for _, obj := range res.Objects {
		if obj.GetKind() != KindDeployment {
			continue
		}
		if j := byName[obj.GetNamespace()+"/"+obj.GetName()]; j != nil {
			j.Rendered = obj.Object
		}
	}
	for _, j := range jobs {
		if j.Rendered == nil {
			probs = append(probs, problem.Errorf(j.Path, problem.ObjectRef{}, "", "internal error: the platform rendered no FlinkDeployment for the imported job"))
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
			p.Message = fmt.Sprintf("the imported %s %s: %s", api.KindJob, field, p.Message)
			p.File, p.Object, p.Field = j.Source.where(), j.Source.Ref(), ""
		}
		out[i] = p
	}
	return out
}
