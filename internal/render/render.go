// Package render runs every component for one environment and returns the
// labelled, checked and sorted objects. Charts are loaded once per Renderer,
// however many environments it renders.
package render

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"golang.org/x/sync/errgroup"

	"github.com/krm-flink/krm-flink/catalog"
	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart"
	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/gitops"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Renderer renders environments of one input set.
type Renderer struct {
	set        *input.Set
	components []component.Renderer
	charts     *source.Resolver
}

// Result is one rendered environment.
type Result struct {
	Env     string
	Objects []*manifest.Object
	// Bootstrap are the Flux Kustomizations and Argo CD Application that
	// deploy the environment: applied to the GitOps tool, not part of it.
	Bootstrap []*manifest.Object
	Warnings  problem.List
}

// New checks the platform and loads every chart it needs, once, offline:
// from the built-in catalog, local paths, the platform's vendored charts
// folder and the chart cache. NewWithOptions chooses otherwise.
func New(set *input.Set) (*Renderer, error) {
	return NewWithOptions(set, Options{})
}

func loadJobChart(p *input.Platform) (*chart.Chart, error) {
	src := p.Spec.JobChart
	if src == nil {
		return chart.LoadFS(catalog.Charts, catalog.JobChart)
	}
	if src.Path == "" {
		return nil, problem.List{problem.Errorf(p.File, p.Ref(), "spec.jobChart.path", "a job chart is given as a local directory or .tgz path")}
	}
	path := src.Path
	if !filepath.IsAbs(path) && p.Dir() != "" {
		path = filepath.Join(p.Dir(), path)
	}
	c, err := chart.LoadPath(path)
	if err != nil {
		return nil, problem.List{problem.Errorf(p.File, p.Ref(), "spec.jobChart.path", "%v%s", err, p.PathNote(src.Path))}
	}
	return c, nil
}

// Environments lists the environments the platform defines.
func (r *Renderer) Environments() []string {
	return resolve.Environments(r.set.Platform.FlinkPlatform)
}

// Render renders one environment.
func (r *Renderer) Render(env string) (*Result, error) {
	p, probs := resolve.Resolve(r.set, env)
	if p == nil {
		return nil, probs
	}
	// With problems in some jobs, the platform and the other jobs are still
	// rendered, so their problems are reported in the same run.
	res := &Result{Env: env, Warnings: probs.Warnings()}
	var probs2 problem.List
	for _, pr := range probs {
		if pr.Severity != problem.Warning {
			probs2 = append(probs2, pr)
		}
	}
	helmLog, err := chart.CollectHelmLog(func() error {
		// Components render independently from the read-only plan, all at
		// once (the component charts overlap the jobs); their objects and
		// problems are taken in component order.
		objects := make([][]*manifest.Object, len(r.components))
		errs := make([]error, len(r.components))
		var g errgroup.Group
		for i, c := range r.components {
			g.Go(func() error {
				objects[i], errs[i] = c.Render(p)
				return nil
			})
		}
		_ = g.Wait()
		for i, c := range r.components {
			objs, err := objects[i], errs[i]
			var ps problem.List
			switch {
			case err == nil:
			case errors.As(err, &ps) && !ps.HasErrors():
				res.Warnings = append(res.Warnings, ps...)
			case errors.As(err, &ps):
				probs2 = append(probs2, ps...)
				continue
			default:
				return fmt.Errorf("component %s: %w", c.Name(), err)
			}
			res.Objects = append(res.Objects, objs...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, line := range helmLog {
		res.Warnings = append(res.Warnings, problem.Warningf(r.set.Platform.File, r.set.Platform.Ref(), "", "environment %s: helm: %s", env, line))
	}
	probs2 = append(probs2, checkOperatorFields(p, res.Objects)...)
	extras, ps := r.extras(p, res.Objects)
	probs2 = append(probs2, ps...)
	if probs2.HasErrors() {
		return nil, append(probs2, res.Warnings...)
	}
	labelManaged(res.Objects)
	res.Objects = append(res.Objects, extras...)
	gitops.Annotate(res.Objects)
	Sort(res.Objects)
	if err := checkUnique(res.Objects); err != nil {
		return nil, err
	}
	res.Bootstrap = bootstrap(env, &p.Platform.Spec.GitOps, res.Objects)
	return res, nil
}

// extras copies the user's own objects that belong to env, as they were
// written: no krm-flink labels, so function mode never takes them for its
// output. An object krm-flink renders itself cannot also be the user's;
// one of the Flink operator's kinds is checked as krm-flink's own are.
func (r *Renderer) extras(p *resolve.Plan, generated []*manifest.Object) ([]*manifest.Object, problem.List) {
	env := p.Env.Name
	ours := make(map[string]string, len(generated))
	for _, o := range generated {
		ours[o.ID()] = o.Component
	}
	var out []*manifest.Object
	var probs problem.List
	for _, e := range r.set.Extras {
		if !e.In(env) {
			continue
		}
		if c, ok := ours[e.Object.ID()]; ok {
			probs = append(probs, problem.Errorf(e.File, e.Ref(), "metadata.name",
				"krm-flink renders this object itself (component %s) in environment %s; configure it through the platform or a job instead", c, env))
			continue
		}
		if ps := checkFlinkExtra(p, e); len(ps) > 0 {
			probs = append(probs, ps...)
			continue
		}
		out = append(out, &manifest.Object{Component: e.Object.Component, Unstructured: e.Object.DeepCopy()})
	}
	return out, probs
}

// bootstrap renders the GitOps objects that deploy env, when asked for.
func bootstrap(env string, g *api.GitOps, objs []*manifest.Object) []*manifest.Object {
	var out []*manifest.Object
	if f := g.Flux; f != nil && f.Enabled {
		used := map[string]bool{}
		for _, o := range objs {
			used[gitops.LayerOf(o)] = true
		}
		var layers []string
		for _, l := range gitops.Layers {
			if used[l] {
				layers = append(layers, l)
			}
		}
		out = append(out, gitops.FluxKustomizations(env, layers, gitops.Flux{
			Namespace: f.Namespace, SourceKind: f.SourceKind, SourceName: f.SourceName,
			Path: f.Path, Interval: f.Interval, Prefix: f.Prefix,
		})...)
	}
	if a := g.ArgoCD; a != nil && a.Enabled {
		out = append(out, gitops.ArgoApplication(env, gitops.Argo{
			Namespace: a.Namespace, Project: a.Project, RepoURL: a.RepoURL, TargetRevision: a.TargetRevision,
			Path: a.Path, Server: a.Server, Prefix: a.Prefix, Automated: a.Automated,
		}, objs))
	}
	if a := g.ArgoCD; a != nil && a.HealthChecks {
		out = append(out, gitops.ArgoHealthChecks(a.Namespace))
	}
	labelManaged(out)
	return out
}

// labelManaged labels objects as krm-flink's, each with its component.
func labelManaged(objs []*manifest.Object) {
	for _, o := range objs {
		labels := o.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[manifest.ManagedByLabel] = manifest.ManagedBy
		labels[manifest.ComponentLabel] = o.Component
		o.SetLabels(labels)
	}
}

// Sort orders objects by component, namespace, kind and name.
func Sort(objs []*manifest.Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		if a.Component != b.Component {
			return a.Component < b.Component
		}
		if x, y := a.GetNamespace(), b.GetNamespace(); x != y {
			return x < y
		}
		if x, y := a.GetKind(), b.GetKind(); x != y {
			return x < y
		}
		if x, y := a.GetName(), b.GetName(); x != y {
			return x < y
		}
		return a.GetAPIVersion() < b.GetAPIVersion()
	})
}

func checkUnique(objs []*manifest.Object) error {
	seen := make(map[string]string, len(objs))
	for _, o := range objs {
		id := o.ID()
		if prev, ok := seen[id]; ok {
			return fmt.Errorf("two components render the same object %s: %s and %s", id, prev, o.Component)
		}
		seen[id] = o.Component
	}
	return nil
}

// Check reports every validation problem of a set without rendering: the
// platform's, and each job's in every environment. Callers use it after a
// decode error so the user sees all problems in one run, not just the first.
func Check(set *input.Set) problem.List {
	if set.Platform == nil {
		return nil
	}
	probs := resolve.CheckPlatform(set.Platform)
	for _, env := range resolve.Environments(set.Platform.FlinkPlatform) {
		_, ps := resolve.Resolve(set, env)
		probs = append(probs, ps...)
	}
	return Dedupe(probs)
}

// Dedupe drops problems reported identically more than once, e.g. by
// several environments.
func Dedupe(l problem.List) problem.List {
	seen := map[string]bool{}
	var out problem.List
	for _, p := range l {
		if k := p.String(); !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}
