// Package certmanager renders cert-manager, which the Flink operator's
// webhook needs for its certificate: the jetstack chart with its CRDs on,
// through the values key of the chart's version (installCRDs before v1.15,
// crds.enabled from v1.15).
package certmanager

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/component/helmcomponent"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Name is the component's name and output folder.
const Name = api.ComponentCertManager

// Sources loads cert-manager's chart or its static release manifest;
// *source.Resolver is one.
type Sources interface {
	helmcomponent.Charts
	LoadManifest(component, location, baseDir string) (*source.Manifest, error)
}

// Renderer renders cert-manager from its chart or its static release manifest.
type Renderer struct {
	charts Sources
	chart  *helmcomponent.Chart
}

var _ component.Renderer = (*Renderer)(nil)

// New returns a renderer that loads its chart or manifest through charts.
func New(charts Sources) *Renderer {
	return &Renderer{charts: charts, chart: &helmcomponent.Chart{
		Charts:    charts,
		Component: Name,
		Config:    func(p *resolve.Plan) *api.Component { return &p.Platform.Spec.Components.CertManager.Component },
		Values:    func(_ *resolve.Plan, l *source.Loaded) map[string]any { return Values(l.Version()) },
	}}
}

// Name implements component.Renderer.
func (*Renderer) Name() string { return Name }

// Render implements component.Renderer.
func (r *Renderer) Render(p *resolve.Plan) ([]*manifest.Object, error) {
	if cfg := &p.Platform.Spec.Components.CertManager; *cfg.Enabled && cfg.Manifest != "" {
		return r.renderManifest(p, cfg)
	}
	return r.chart.Render(p)
}

// CRDsByValue tells whether a cert-manager chart version switches its CRDs
// on with crds.enabled (v1.15 and later) rather than installCRDs.
func CRDsByValue(chartVersion string) bool {
	parts := strings.SplitN(strings.TrimPrefix(chartVersion, "v"), ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return major > 1 || major == 1 && minor >= 15
}

// Values are the chart values krm-flink derives: the CRDs on, through the
// key the chart's version knows, and the objects of the static release
// manifest the reference platform installed: no startupapicheck Job (a
// post-install hook; kept as a plain Job with a fixed name its immutable
// pod template would fail every sync after an upgrade) and no Helm labels
// (creator: static).
func Values(chartVersion string) map[string]any {
	vals := map[string]any{
		"creator":         "static",
		"startupapicheck": map[string]any{"enabled": false},
	}
	if CRDsByValue(chartVersion) {
		vals["crds"] = map[string]any{"enabled": true, "keep": true}
	} else {
		vals["installCRDs"] = true
	}
	return vals
}

// renderManifest renders cert-manager from its static release manifest, as
// the reference platform installed it: the objects as published, with the
// namespace, Namespace and drop rules every component gets.
func (r *Renderer) renderManifest(p *resolve.Plan, cfg *api.CertManager) ([]*manifest.Object, error) {
	baseDir, note := "", ""
	file, ref := "", problem.ObjectRef{}
	if p.Source != nil {
		file, ref = p.Source.File, p.Source.Ref()
		baseDir = p.Source.Dir()
		if !strings.Contains(cfg.Manifest, "://") {
			note = p.Source.PathNote(cfg.Manifest)
		}
	}
	m, err := r.charts.LoadManifest(Name, cfg.Manifest, baseDir)
	if err != nil {
		return nil, problem.List{problem.Errorf(file, ref, helmcomponent.Field(Name)+".manifest", "%v%s", err, note)}
	}
	objs, err := manifest.ParseYAML(Name, m.Data)
	if err != nil {
		return nil, problem.List{problem.Errorf(file, ref, helmcomponent.Field(Name)+".manifest", "%s: %v", m.Source, err)}
	}
	if ns := manifestNamespaces(objs); len(ns) > 0 && !slices.Contains(ns, cfg.Namespace) {
		return nil, problem.List{problem.Errorf(file, ref, helmcomponent.Field(Name)+".namespace",
			"is %s, but manifest %s installs into %s: a static manifest cannot be moved; set the namespace to match, or render the chart",
			cfg.Namespace, m.Source, strings.Join(ns, ", "))}
	}
	return helmcomponent.Finish(p, Name, &cfg.Component, objs, "manifest "+m.Source)
}

// manifestNamespaces are the namespaces a manifest's objects name, sorted,
// leaving out the system ones it may also use (leader election in
// kube-system).
func manifestNamespaces(objs []*manifest.Object) []string {
	set := map[string]bool{}
	for _, o := range objs {
		switch ns := o.GetNamespace(); ns {
		case "", "kube-system", "kube-public", "default":
		default:
			set[ns] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}
