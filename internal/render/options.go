package render

import (
	"path/filepath"

	"golang.org/x/sync/errgroup"

	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/component/certmanager"
	"github.com/krm-flink/krm-flink/internal/component/flinkjob"
	"github.com/krm-flink/krm-flink/internal/component/flinkoperator"
	"github.com/krm-flink/krm-flink/internal/component/fluentbit"
	"github.com/krm-flink/krm-flink/internal/component/helmcomponent"
	"github.com/krm-flink/krm-flink/internal/component/karpenter"
	"github.com/krm-flink/krm-flink/internal/component/nodepool"
	"github.com/krm-flink/krm-flink/internal/component/rbac"
	"github.com/krm-flink/krm-flink/internal/component/snapshot"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Options choose where third-party charts may come from.
type Options struct {
	// Sources are the chart source options. ChartsDir defaults to the
	// platform's spec.chartsDir, relative to the platform file. Online is
	// off unless set: rendering never reaches the network unless asked.
	Sources source.Options
	// ChartsDirFrom names what set Sources.ChartsDir (a flag, an
	// annotation), for messages; empty when it is unset.
	ChartsDirFrom string
}

// NewWithOptions checks the platform and loads every chart it needs, once
// per run however many environments are rendered: the job chart and, for
// every environment (whose overrides may pin other versions), the chart of
// every enabled component. A chart that cannot be found is a problem naming
// the component, the source and the version.
func NewWithOptions(set *input.Set, opts Options) (*Renderer, error) {
	if probs := resolve.CheckPlatform(set.Platform); probs.HasErrors() {
		return nil, probs
	}
	jobChart, err := loadJobChart(set.Platform)
	if err != nil {
		return nil, err
	}
	so := opts.Sources
	chartsDirField, note := opts.ChartsDirFrom, ""
	if so.ChartsDir == "" && set.Platform.Spec.ChartsDir != "" {
		chartsDirField = "spec.chartsDir"
		so.ChartsDir = set.Platform.Spec.ChartsDir
		if !filepath.IsAbs(so.ChartsDir) && set.Platform.Dir() != "" {
			so.ChartsDir = filepath.Join(set.Platform.Dir(), so.ChartsDir)
		}
		note = set.Platform.PathNote(set.Platform.Spec.ChartsDir)
	}
	charts, err := source.New(so)
	if err != nil {
		return nil, problem.List{problem.Errorf(set.Platform.File, set.Platform.Ref(), chartsDirField, "%v%s", err, note)}
	}
	r := &Renderer{
		set:    set,
		charts: charts,
		components: []component.Renderer{
			certmanager.New(charts),
			flinkoperator.New(charts),
			fluentbit.New(charts),
			karpenter.New(charts),
			rbac.Renderer{},
			nodepool.Renderer{},
			flinkjob.New(jobChart),
			snapshot.Renderer{},
		},
	}
	if probs := r.loadCharts(); probs.HasErrors() {
		return nil, probs
	}
	return r, nil
}

// loadCharts loads the chart of every enabled component in every
// environment up front, so a missing chart fails before anything renders.
func (r *Renderer) loadCharts() problem.List {
	var probs problem.List
	// Decoding a chart's CRDs (upstream ones run to hundreds of KB) is
	// most of a small platform's render: do it for every chart at once.
	var crds errgroup.Group
	defer func() { _ = crds.Wait() }()
	prepared := map[*source.Loaded]bool{}
	for _, env := range resolve.Environments(r.set.Platform.FlinkPlatform) {
		platform, ps := resolve.PlatformFor(r.set.Platform, env)
		if ps.HasErrors() {
			// Reported with the environment's render.
			continue
		}
		p := &resolve.Plan{Platform: platform, Source: r.set.Platform}
		for _, nc := range platform.Spec.Components.Each() {
			if !*nc.Enabled || nc.Name == certmanager.Name && platform.Spec.Components.CertManager.Manifest != "" {
				continue
			}
			l, _, err := helmcomponent.Load(r.charts, p, nc.Name, nc.Component)
			if err == nil && !prepared[l] {
				prepared[l] = true
				crds.Go(func() error { l.PrepareCRDs(); return nil })
			}
			if err != nil {
				if ps, ok := err.(problem.List); ok {
					probs = append(probs, ps...)
					continue
				}
				probs = append(probs, problem.Errorf(r.set.Platform.File, r.set.Platform.Ref(), helmcomponent.Field(nc.Name), "%v", err))
			}
		}
	}
	return Dedupe(probs)
}
