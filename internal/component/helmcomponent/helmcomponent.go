// Package helmcomponent is what the third-party components (cert-manager,
// flink-operator, fluent-bit, karpenter) have in common: load the chart once,
// merge krm-flink's derived values with the user's raw values (theirs last),
// render in-process like `helm template` with CRDs, apply the hooks policy,
// give every namespaced object its namespace explicitly, add the
// component's Namespace and drop what the user's selectors name.
//
// Hooks policy: test hooks (helm.sh/hook: test, test-success) are always
// dropped. Other hooks follow spec.components.<name>.hooks: Plain (default)
// keeps them as plain objects with the helm.sh/hook* annotations removed and
// the events recorded in krm-flink.io/helm-hook; Keep leaves the annotations
// (Argo CD then runs them as sync hooks); Drop removes them.
package helmcomponent

import (
	"errors"
	"fmt"
	"helm.sh/helm/v3/pkg/release"
	"path"
	"sort"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart"
	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// HookAnnotation records, on a hook kept as a plain object, the Helm hook
// events it was written for.
const HookAnnotation = "krm-flink.io/helm-hook"

// helmHookAnnotations are removed from hooks kept as plain objects.
var helmHookAnnotations = []string{hookAnnotation, "helm.sh/hook-weight", "helm.sh/hook-delete-policy"}

// hookAnnotation makes an object a Helm hook; its value lists the events.
const hookAnnotation = "helm.sh/hook"

// Charts loads component charts; *source.Resolver is one.
type Charts interface {
	Load(req source.Request) (*source.Loaded, error)
}

// Field is the path of a component's settings in the FlinkPlatform.
func Field(name string) string { return "spec.components." + name }

// Load loads the chart of a component for one environment. Problems (a
// chart that cannot be found) come back as a problem.List error naming the
// component, the source and the version; warnings say when a krm-flink
// fixture stands in for the upstream chart, or when a chart brings another
// version than the platform pins.
func Load(charts Charts, p *resolve.Plan, name string, c *api.Component) (*source.Loaded, problem.List, error) {
	d := api.ComponentDefaults[name]
	req := source.Request{Component: name, Chart: d.Chart, Version: c.Version, Source: c.Chart, BaseDir: baseDir(p)}
	l, err := charts.Load(req)
	file, ref := PlatformRef(p)
	if err != nil {
		var se *source.Error
		if errors.As(err, &se) {
			field := chartField(name, se.Source, c)
			note := ""
			if se.Override {
				field = "--chart " + name
			} else if p.Source != nil && c.Chart != nil {
				note = p.Source.PathNote(c.Chart.Path)
			}
			return nil, nil, problem.List{problem.Errorf(file, ref, field, "%s%s", err.Error(), note)}
		}
		return nil, nil, err
	}
	var warns problem.List
	field := Field(name) + ".chart"
	if l.Override {
		field = "--chart " + name
	}
	if l.Fixture {
		warns = append(warns, problem.Warningf(file, ref, field,
			"%s %s is krm-flink's fixture chart standing in for the upstream chart; point spec.components.%s.chart at the upstream chart for real deployments (docs/charts.md)",
			l.Chart.Metadata.Name, l.Version(), name))
	}
	if !l.BuiltIn && !sameVersion(l.Version(), l.Pinned) && !isRange(l.Pinned) {
		warns = append(warns, problem.Warningf(file, ref, field,
			"chart %s from %s is version %s, the platform pins %s: rendering %s", l.Chart.Metadata.Name, l.Source, l.Version(), l.Pinned, l.Version()))
	}
	return l, warns, nil
}

func chartField(name, src string, c *api.Component) string {
	if strings.HasPrefix(src, "built-in") || c.Chart == nil {
		return Field(name) + ".version"
	}
	return Field(name) + ".chart"
}

func sameVersion(a, b string) bool { return strings.TrimPrefix(a, "v") == strings.TrimPrefix(b, "v") }

// isRange tells whether a pin is a semver range rather than one version.
func isRange(v string) bool { return strings.ContainsAny(v, "^~*<>=|xX ,") }

// Spec is one component's chart render.
type Spec struct {
	// Name is the component's name.
	Name string
	// Config is the component's settings in the environment's platform.
	Config *api.Component
	// Chart is the loaded chart.
	Chart *source.Loaded
	// Values are the final values: derived ones with the user's merged last
	// (see Merge).
	Values map[string]any
}

// Render renders a component's chart for one environment and finishes the
// objects (see Finish).
func Render(p *resolve.Plan, s Spec) ([]*manifest.Object, error) {
	kubeVersion, err := api.ParseKubeVersion(p.Platform.Spec.KubernetesVersion)
	if err != nil {
		return nil, err
	}
	res, err := chart.Render(s.Chart.Chart, s.Values, chart.Options{
		ReleaseName: s.Config.ReleaseName,
		Namespace:   s.Config.Namespace,
		KubeVersion: kubeVersion,
		APIVersions: APIVersions(p),
		IncludeCRDs: true,
	})
	file, ref := PlatformRef(p)
	if err != nil {
		field := Field(s.Name) + ".chart"
		if _, ok := errors.AsType[*chart.ValuesError](err); ok {
			field = Field(s.Name) + ".values"
		}
		return nil, problem.List{problem.Errorf(file, ref, field, "rendering %s %s from %s: %v",
			s.Chart.Chart.Metadata.Name, s.Chart.Version(), s.Chart.Source, err)}
	}
	var objs []*manifest.Object
	add := func(doc chart.Document, o []*manifest.Object, err error) error {
		if err != nil {
			return fmt.Errorf("chart %s %s, %s: %w", s.Chart.Chart.Metadata.Name, s.Chart.Version(), doc.Source, err)
		}
		objs = append(objs, o...)
		return nil
	}
	for _, d := range res.CRDs {
		o, err := s.Chart.DecodeCRDs(d.Content).Objects(s.Name)
		if err := add(d, o, err); err != nil {
			return nil, err
		}
	}
	for _, d := range res.Manifests {
		o, err := d.Objects(s.Name)
		if err := add(d, o, err); err != nil {
			return nil, err
		}
	}
	return Finish(p, s.Name, s.Config, objs, fmt.Sprintf("%s %s", s.Chart.Chart.Metadata.Name, s.Chart.Version()))
}

// applyHooksPolicy applies the hooks policy to the objects that carry a
// helm.sh/hook annotation, whether a chart or a static manifest brought
// them: test hooks go, others go (Drop), stay as they are (Keep) or become
// plain objects (Plain). A hook for an event Helm does not know goes too,
// as Helm skips it, with a warning.
func applyHooksPolicy(objs []*manifest.Object, policy api.HookPolicy) ([]*manifest.Object, []string) {
	kept := objs[:0]
	var skipped []string
	for _, o := range objs {
		hook, ok := o.GetAnnotations()[hookAnnotation]
		if !ok {
			kept = append(kept, o)
			continue
		}
		var events []string
		known := true
		for _, e := range strings.Split(hook, ",") {
			if e = strings.TrimSpace(e); e != "" {
				events = append(events, e)
				known = known && helmHookEvents[strings.ToLower(e)]
			}
		}
		if !known {
			skipped = append(skipped, fmt.Sprintf("%s %s/%s: %s=%q names an event Helm does not know, so Helm would never apply it; left out", o.GetKind(), o.GetNamespace(), o.GetName(), hookAnnotation, hook))
			continue
		}
		if isTest(events) || policy == api.HooksDrop {
			continue
		}
		if policy != api.HooksKeep {
			plainHook(o, events)
		}
		kept = append(kept, o)
	}
	return kept, skipped
}

// helmHookEvents are the hook events Helm acts on.
var helmHookEvents = func() map[string]bool {
	events := map[string]bool{"test-success": true} // the old name of test
	for _, e := range []release.HookEvent{
		release.HookPreInstall, release.HookPostInstall, release.HookPreDelete, release.HookPostDelete,
		release.HookPreUpgrade, release.HookPostUpgrade, release.HookPreRollback, release.HookPostRollback, release.HookTest,
	} {
		events[string(e)] = true
	}
	return events
}()

func isTest(events []string) bool {
	for _, e := range events {
		if strings.HasPrefix(e, "test") {
			return true
		}
	}
	return false
}

func plainHook(o *manifest.Object, events []string) {
	ann := o.GetAnnotations()
	for _, k := range helmHookAnnotations {
		delete(ann, k)
	}
	if ann == nil {
		ann = map[string]string{}
	}
	ann[HookAnnotation] = strings.Join(events, ",")
	o.SetAnnotations(ann)
}

// Finish makes a component's rendered objects fit for GitOps: the hooks
// policy applies, every namespaced object without a namespace gets the
// component's, the component's Namespace object is added when the component
// owns it, and the drop selectors remove what they name (a selector that
// matches nothing is an error). What is left must use APIs the platform's
// Kubernetes serves and, when the platform requires it, images pinned by
// digest. what names the chart or manifest for messages.
func Finish(p *resolve.Plan, name string, c *api.Component, objs []*manifest.Object, what string) ([]*manifest.Object, error) {
	objs, skippedHooks := applyHooksPolicy(objs, c.Hooks)
	scope := chartScopes(objs)
	haveNamespace := false
	for _, o := range objs {
		if o.GetKind() == "Namespace" && o.GetAPIVersion() == "v1" && o.GetName() == c.Namespace {
			haveNamespace = true
		}
		if o.GetNamespace() == "" && scope.namespaced(o) {
			o.SetNamespace(c.Namespace)
		}
	}
	if !haveNamespace && NamespaceOwner(p, c.Namespace) == name {
		objs = append(objs, manifest.New(name, map[string]any{
			"apiVersion": "v1",
			"kind":       "Namespace",
			"metadata":   map[string]any{"name": c.Namespace},
		}))
	}
	file, ref := PlatformRef(p)
	var probs problem.List
	kept := objs[:0]
	matched := make([]bool, len(c.Drop))
	for _, o := range objs {
		drop := false
		for i, sel := range c.Drop {
			if Matches(sel, o) {
				matched[i] = true
				drop = true
			}
		}
		if !drop {
			kept = append(kept, o)
		}
	}
	for i, ok := range matched {
		if !ok {
			probs = append(probs, problem.Errorf(file, ref, fmt.Sprintf("%s.drop[%d]", Field(name), i),
				"matches no object of %s in environment %s: a chart upgrade may have renamed what it dropped; fix or remove the selector",
				what, p.Env.Name))
		}
	}
	for _, s := range skippedHooks {
		probs = append(probs, problem.Warningf(file, ref, Field(name), "%s: %s", what, s))
	}
	probs = append(probs, checkBuiltinAPIs(p, name, what, kept)...)
	probs = append(probs, checkImageDigests(p, name, what, kept)...)
	switch {
	case probs.HasErrors():
		return nil, probs
	case len(probs) > 0:
		return kept, probs
	}
	return kept, nil
}

// Matches tells whether a selector names an object: apiVersion and kind
// exactly, namespace and name as path.Match patterns; empty fields match
// anything.
func Matches(sel api.ObjectSelector, o *manifest.Object) bool {
	if sel.APIVersion != "" && sel.APIVersion != o.GetAPIVersion() {
		return false
	}
	if sel.Kind != "" && sel.Kind != o.GetKind() {
		return false
	}
	if sel.Namespace != "" && !match(sel.Namespace, o.GetNamespace()) {
		return false
	}
	if sel.Name != "" && !match(sel.Name, o.GetName()) {
		return false
	}
	return true
}

func match(pattern, s string) bool {
	ok, err := path.Match(pattern, s)
	return (err == nil && ok) || pattern == s
}

// NamespaceOwner is the component that renders the Namespace object of ns:
// none for kube-system, kube-public, kube-node-lease and default; else the
// first enabled component, by name, installed into ns. (A job cannot run in
// a component's namespace: resolve.ReservedNamespace.)
func NamespaceOwner(p *resolve.Plan, ns string) string {
	switch ns {
	case "kube-system", "kube-public", "kube-node-lease", "default":
		return ""
	}
	comps := p.Platform.Spec.Components.Each()
	sort.Slice(comps, func(i, j int) bool { return comps[i].Name < comps[j].Name })
	for _, nc := range comps {
		if *nc.Enabled && nc.Namespace == ns {
			return nc.Name
		}
	}
	return ""
}

// APIVersions is what charts see as .Capabilities.APIVersions beyond
// Kubernetes' own: the platform's spec.apiVersions, plus the APIs of the
// enabled components (a cluster with cert-manager serves cert-manager.io/v1).
func APIVersions(p *resolve.Plan) []string {
	s := &p.Platform.Spec
	set := map[string]bool{}
	for _, v := range s.APIVersions {
		set[v] = true
	}
	c := &s.Components
	if *c.CertManager.Enabled {
		set["cert-manager.io/v1"] = true
		set["acme.cert-manager.io/v1"] = true
	}
	if *c.FlinkOperator.Enabled {
		set["flink.apache.org/v1beta1"] = true
	}
	if *c.Karpenter.Enabled {
		// The NodePool API the platform renders is the one the chart must
		// serve (checked on the loaded chart); the pin says it otherwise.
		v, ok := s.Nodes.Karpenter.APIVersion, s.Nodes.Karpenter.APIVersion != ""
		if !ok {
			v, ok = api.KarpenterAPIVersion(c.Karpenter.Version)
		}
		if ok {
			set["karpenter.sh/"+v] = true
			set["karpenter.k8s.aws/"+v] = true
		}
	}
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// WithWarnings joins a render's outcome with warnings: an error stays an
// error (its problems first), else the warnings come back as a
// problem.List holding only warnings, which component.Renderer documents as
// "objects kept, warnings reported"; nil when there are none.
func WithWarnings(err error, warns problem.List) error {
	if err != nil {
		var probs problem.List
		if errors.As(err, &probs) {
			return append(probs, warns...)
		}
		return err
	}
	if len(warns) == 0 {
		return nil
	}
	return warns
}

// RoleArnAnnotation is the IRSA annotation of a ServiceAccount.
const RoleArnAnnotation = "eks.amazonaws.com/role-arn"

// Chart is a component rendered from one chart. What sets the four apart
// is only where their settings live, the values they derive and what they
// refuse; loading, merging and rendering are the same.
type Chart struct {
	Charts Charts
	// Component is the component's name: config key and output folder.
	Component string
	// Config is the component's settings in the plan.
	Config func(*resolve.Plan) *api.Component
	// Values are the values derived for the loaded chart; the user's raw
	// values are merged over them.
	Values func(*resolve.Plan, *source.Loaded) map[string]any
	// Amend, when set, edits the merged values in place: for settings
	// krm-flink must keep whatever the user's values replace, such as a
	// list entry a user's list would otherwise drop.
	Amend func(*resolve.Plan, *source.Loaded, map[string]any)
	// Check, when set, may refuse the loaded chart with the merged values.
	Check func(*resolve.Plan, *source.Loaded, map[string]any) problem.List
}

var _ component.Renderer = (*Chart)(nil)

// Name implements component.Renderer.
func (c *Chart) Name() string { return c.Component }

// Render implements component.Renderer: nothing when the component is off;
// else load its chart, merge the user's values last over the derived ones,
// let Amend complete them and Check refuse the combination, and render.
func (c *Chart) Render(p *resolve.Plan) ([]*manifest.Object, error) {
	cfg := c.Config(p)
	if !*cfg.Enabled {
		return nil, nil
	}
	loaded, warns, err := Load(c.Charts, p, c.Component, cfg)
	if err != nil {
		return nil, err
	}
	vals := Merge(c.Values(p, loaded), cfg.Values)
	if c.Amend != nil {
		c.Amend(p, loaded, vals)
	}
	if c.Check != nil {
		if probs := c.Check(p, loaded, vals); len(probs) > 0 {
			return nil, WithWarnings(probs, warns)
		}
	}
	objs, err := Render(p, Spec{Name: c.Component, Config: cfg, Chart: loaded, Values: vals})
	return objs, WithWarnings(err, warns)
}

// PlatformRef is the file and object that problems about the platform name.
func PlatformRef(p *resolve.Plan) (string, problem.ObjectRef) {
	if p.Source != nil {
		return p.Source.File, p.Source.Ref()
	}
	return "", problem.ObjectRef{APIVersion: p.Platform.APIVersion, Kind: p.Platform.Kind, Name: p.Platform.Metadata.Name}
}

// baseDir is the folder relative chart paths start from: the platform file's.
func baseDir(p *resolve.Plan) string {
	if p.Source == nil {
		return ""
	}
	return p.Source.Dir()
}
