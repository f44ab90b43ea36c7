// Package render runs every component for one environment and returns the
// labelled, checked and sorted objects. Charts are loaded once per Renderer,
// however many environments it renders.
package render

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/krm-flink/krm-flink/catalog"
	"github.com/krm-flink/krm-flink/fn/chart"
	"github.com/krm-flink/krm-flink/fn/component"
	"github.com/krm-flink/krm-flink/fn/component/flinkjob"
	"github.com/krm-flink/krm-flink/fn/component/nodepool"
	"github.com/krm-flink/krm-flink/fn/component/rbac"
	"github.com/krm-flink/krm-flink/fn/input"
	"github.com/krm-flink/krm-flink/fn/manifest"
	"github.com/krm-flink/krm-flink/fn/plan"
	"github.com/krm-flink/krm-flink/fn/problem"
)

// Renderer renders environments of one input set.
type Renderer struct {
	set        *input.Set
	components []component.Renderer
}

// Result is one rendered environment.
type Result struct {
	Env      string
	Objects  []*manifest.Object
	Warnings problem.List
}

// New checks the platform and loads every chart it needs, once.
func New(set *input.Set) (*Renderer, error) {
	if probs := plan.CheckPlatform(set.Platform); probs.HasErrors() {
		return nil, probs
	}
	jobChart, err := loadJobChart(set.Platform)
	if err != nil {
		return nil, err
	}
	return &Renderer{
		set: set,
		components: []component.Renderer{
			rbac.Renderer{},
			nodepool.Renderer{},
			flinkjob.New(jobChart),
		},
	}, nil
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
	if !filepath.IsAbs(path) && p.File != "" {
		path = filepath.Join(filepath.Dir(p.File), path)
	}
	c, err := chart.LoadPath(path)
	if err != nil {
		return nil, problem.List{problem.Errorf(p.File, p.Ref(), "spec.jobChart.path", "%v", err)}
	}
	return c, nil
}

// Environments lists the environments the platform defines.
func (r *Renderer) Environments() []string {
	return plan.Environments(r.set.Platform.FlinkPlatform)
}

// Render renders one environment.
func (r *Renderer) Render(env string) (*Result, error) {
	p, probs := plan.Resolve(r.set, env)
	if probs.HasErrors() {
		return nil, probs
	}
	res := &Result{Env: env, Warnings: probs.Warnings()}
	for _, c := range r.components {
		objs, err := c.Render(p)
		if err != nil {
			return nil, fmt.Errorf("component %s: %w", c.Name(), err)
		}
		res.Objects = append(res.Objects, objs...)
	}
	for _, o := range res.Objects {
		labels := o.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[manifest.ManagedByLabel] = manifest.ManagedBy
		labels[manifest.ComponentLabel] = o.Component
		o.SetLabels(labels)
	}
	Sort(res.Objects)
	if err := checkUnique(res.Objects); err != nil {
		return nil, err
	}
	return res, nil
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
