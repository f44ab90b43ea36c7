// Package source finds the Helm chart of a component: krm-flink's built-in
// catalog, a local chart folder or .tgz, an HTTP(S) chart repository
// (index.yaml) or an oci:// registry, through Helm's getter and registry
// packages. Pulled charts are kept in a cache named by their content digest;
// a vendored folder with a lock file (charts.lock.yaml, written by
// `krm-flink charts pull`) pins versions and digests, and every chart read
// from it or from the cache is verified against them. Nothing reaches the
// network unless Options.Online is set.
package source

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart"
	"github.com/krm-flink/krm-flink/internal/manifest"
)

// Request asks for the chart of one component.
type Request struct {
	// Component is the component's name, e.g. "karpenter".
	Component string
	// Chart is the upstream chart's name, e.g. "karpenter": the built-in
	// chart to use, and the chart to find in an HTTP repository.
	Chart string
	// Version is the platform's pin.
	Version string
	// Source is the platform's spec.components.<name>.chart; nil means the
	// built-in catalog.
	Source *api.ChartSource
	// BaseDir is what relative paths (chart, keyring) are relative to: the
	// platform file's folder.
	BaseDir string
}

// Loaded is a chart ready to render and where it came from.
type Loaded struct {
	Chart *chart.Chart
	// Source names where the chart came from, without credentials:
	// "built-in", a path, a repository URL or an oci:// reference.
	Source string
	// Digest is "sha256:<hex>" of the packaged chart; empty for folders.
	Digest string
	// BuiltIn is true for charts of krm-flink's catalog.
	BuiltIn bool
	// Fixture is true when the chart says it is a krm-flink fixture standing
	// in for an upstream chart (annotation krm-flink.io/fixture: "true").
	Fixture bool
	// Override is true when the source came from Options.Overrides (the
	// CLI's --chart) rather than from the platform.
	Override bool
	// Pinned is the version the platform pinned; a local chart brings its
	// own version, which may differ.
	Pinned string

	manifest *Manifest

	crdMu sync.Mutex
	// crds are the chart's crds/ files decoded, by content.
	crds map[string]manifest.Documents
}

// Version is the loaded chart's own version.
func (l *Loaded) Version() string { return l.Chart.Metadata.Version }

// DecodeCRDs decodes one of the chart's crds/ files (its content, as
// chart.Render returns it). Helm does not template crds/, so every
// environment's render of the chart brings the same bytes: they are decoded
// once per loaded chart, and each caller gets its own deep copy, since
// objects are changed after rendering.
func (l *Loaded) DecodeCRDs(content string) manifest.Documents {
	return l.decodeCRDs(content).Copy()
}

func (l *Loaded) decodeCRDs(content string) manifest.Documents {
	l.crdMu.Lock()
	defer l.crdMu.Unlock()
	d, ok := l.crds[content]
	if !ok {
		d = manifest.Decode([]byte(content))
		if l.crds == nil {
			l.crds = map[string]manifest.Documents{}
		}
		l.crds[content] = d
	}
	return d
}

// PrepareCRDs decodes the chart's crds/ files ahead of the first render,
// so that charts loaded together can have theirs decoded in parallel.
func (l *Loaded) PrepareCRDs() {
	for _, crd := range l.Chart.CRDObjects() {
		l.decodeCRDs(string(crd.File.Data))
	}
}

// FixtureAnnotation marks a chart, and every object it renders, as a
// krm-flink fixture standing in for an upstream chart.
const FixtureAnnotation = "krm-flink.io/fixture"

// LockFile is the name of the lock file in a vendored charts folder.
const LockFile = "charts.lock.yaml"

// Options say where charts may come from.
type Options struct {
	// Online allows reaching chart repositories and registries. Off, only
	// the catalog, local paths, the vendored folder and the cache are read.
	Online bool
	// CacheDir holds pulled charts by digest. Empty: DefaultCacheDir().
	CacheDir string
	// ChartsDir is a vendored charts folder with its charts.lock.yaml;
	// empty for none. Relative to the working directory.
	ChartsDir string
	// RepositoryConfig is Helm's repositories.yaml, read for HTTP
	// repository credentials. Empty: DefaultRepositoryConfig().
	RepositoryConfig string
	// RegistryConfig is Helm's registry config.json, read for OCI
	// credentials. Empty: DefaultRegistryConfig().
	RegistryConfig string
	// Overrides replace a component's source for one run (the CLI's
	// --chart), keyed by component name.
	Overrides map[string]api.ChartSource
}

// Error is a chart that cannot be found, pulled or trusted. It names the
// component, the source and the version.
type Error struct {
	Component string
	Source    string
	Version   string
	// Override is true when the source came from Options.Overrides.
	Override bool
	Err      error
}

func (e *Error) Error() string {
	v := e.Version
	if v == "" {
		v = "(any version)"
	}
	return fmt.Sprintf("component %s: chart %s version %s: %v", e.Component, e.Source, v, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrOffline is wrapped by errors for charts that only the network has.
var ErrOffline = errors.New("not vendored or cached, and rendering is offline")

// offlineHint says how to get a chart that only the network has. The KRM
// function is always offline; it reads a vendored folder.
const offlineHint = "vendor it with `krm-flink charts pull` (then render with spec.chartsDir, --charts-dir " +
	"or, as a function, the krm-flink.io/charts-dir annotation), or let the CLI fetch it with --online"

// ErrDigestMismatch is wrapped by errors for charts whose content is not
// what the lock file, the repository index or the platform pinned.
var ErrDigestMismatch = errors.New("digest mismatch")

// Resolver loads charts, each once, however many environments ask.
type Resolver struct {
	opts   Options
	mu     sync.Mutex
	loaded map[string]*Loaded
	lock   *Lock
	cache  *Cache
}

// New returns a resolver; it reads the lock file of opts.ChartsDir, if any.
func New(opts Options) (*Resolver, error) {
	if opts.CacheDir == "" {
		opts.CacheDir = DefaultCacheDir()
	}
	r := &Resolver{opts: opts, loaded: map[string]*Loaded{}, cache: &Cache{Dir: opts.CacheDir}}
	if opts.ChartsDir != "" {
		l, err := ReadLock(filepath.Join(opts.ChartsDir, LockFile))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		r.lock = l
	}
	return r, nil
}

// Options returns the options the resolver was made with, defaults filled.
func (r *Resolver) Options() Options { return r.opts }

// effective is a request with its override applied and paths resolved.
type effective struct {
	Request
	src      api.ChartSource
	override bool
	builtIn  bool
}

func (r *Resolver) effective(req Request) effective {
	e := effective{Request: req}
	switch {
	case r.opts.Overrides != nil && hasOverride(r.opts.Overrides, req.Component):
		e.src = r.opts.Overrides[req.Component]
		e.override = true
		if e.src.Version != "" {
			e.Version = e.src.Version
		}
	case req.Source != nil:
		e.src = *req.Source
	default:
		e.builtIn = true
	}
	if e.src.Repo != "" && e.src.Name == "" && !api.IsOCI(e.src.Repo) {
		e.src.Name = req.Chart
	}
	if !e.override {
		// Platform paths are relative to the platform file; CLI paths to the
		// working directory.
		e.src.Path = resolvePath(req.BaseDir, e.src.Path)
		e.src.Keyring = resolvePath(req.BaseDir, e.src.Keyring)
	}
	return e
}

func hasOverride(m map[string]api.ChartSource, name string) bool {
	_, ok := m[name]
	return ok
}

func resolvePath(base, p string) string {
	if p == "" || filepath.IsAbs(p) || base == "" {
		return p
	}
	return filepath.Join(base, p)
}

// Describe names the source a request resolves to, for messages.
func (r *Resolver) Describe(req Request) string {
	return describe(r.effective(req))
}

func describe(e effective) string {
	switch {
	case e.builtIn:
		return "built-in " + e.Chart
	case e.src.Path != "":
		return e.src.Path
	case api.IsOCI(e.src.Repo):
		return redactURL(e.src.Repo)
	default:
		return redactURL(strings.TrimSuffix(e.src.Repo, "/")) + " " + e.src.Name
	}
}

// Load returns the chart of a request, loading it the first time.
func (r *Resolver) Load(req Request) (*Loaded, error) {
	e := r.effective(req)
	key := strings.Join([]string{req.Component, describeKey(e), e.Version, e.src.Digest, fmt.Sprint(e.src.Verify), e.src.Keyring}, "\x00")
	r.mu.Lock()
	defer r.mu.Unlock()
	if l, ok := r.loaded[key]; ok {
		return l, nil
	}
	l, err := r.load(e)
	if err != nil {
		return nil, &Error{Component: req.Component, Source: describe(e), Version: e.Version, Override: e.override, Err: err}
	}
	l.Override = e.override
	l.Pinned = req.Version
	if ann := l.Chart.Metadata.Annotations; ann != nil && ann[FixtureAnnotation] == "true" {
		l.Fixture = true
	}
	r.loaded[key] = l
	return l, nil
}

func describeKey(e effective) string {
	if e.builtIn {
		return "builtin:" + e.Chart
	}
	return e.src.Path + "|" + e.src.Repo + "|" + e.src.Name
}

func (r *Resolver) load(e effective) (*Loaded, error) {
	switch {
	case e.builtIn:
		return loadBuiltIn(e.Chart, e.Version)
	case e.src.Path != "":
		return r.loadPath(e)
	default:
		return r.loadRemote(e)
	}
}

// loadPath loads a local chart folder or .tgz. The chart brings its own
// version; a digest pin and provenance apply to a .tgz only.
func (r *Resolver) loadPath(e effective) (*Loaded, error) {
	info, err := os.Stat(e.src.Path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the chart: %w", unwrapPathError(err))
	}
	if info.IsDir() {
		if e.src.Digest != "" || e.src.Verify {
			return nil, fmt.Errorf("a digest or provenance check needs a packaged chart (.tgz), not a folder")
		}
		c, err := chart.LoadPath(e.src.Path)
		if err != nil {
			return nil, err
		}
		return &Loaded{Chart: c, Source: e.src.Path}, nil
	}
	data, err := os.ReadFile(e.src.Path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the chart: %w", unwrapPathError(err))
	}
	digest := Digest(data)
	if e.src.Digest != "" && e.src.Digest != digest {
		return nil, fmt.Errorf("%w: %s is %s, the platform pins %s", ErrDigestMismatch, e.src.Path, digest, e.src.Digest)
	}
	if e.src.Verify {
		if err := verifyProvenance(e.src.Path, e.src.Path+".prov", e.src.Keyring); err != nil {
			return nil, err
		}
	}
	c, err := chart.LoadArchive(data)
	if err != nil {
		return nil, err
	}
	return &Loaded{Chart: c, Source: e.src.Path, Digest: digest}, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
