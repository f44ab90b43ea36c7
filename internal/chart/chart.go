// Package chart renders Helm charts in-process the way `helm template` does,
// through Helm's own packages: client-only capabilities with an explicit
// Kubernetes version and API versions, values checked against
// values.schema.json, NOTES dropped, hooks split from manifests, CRDs from
// crds/ when asked. No helm binary, no cluster, no network.
package chart

import (
	"bytes"
	"fmt"
	"io/fs"
	"log"
	"sort"
	"strings"
	"sync"

	"github.com/mitchellh/copystructure"
	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"

	"github.com/krm-flink/krm-flink/internal/manifest"
)

// Chart is a loaded Helm chart; load it once and render it many times.
type Chart = helmchart.Chart

// LoadFS loads the chart in folder dir of fsys, e.g. an embed.FS.
func LoadFS(fsys fs.FS, dir string) (*Chart, error) {
	var files []*loader.BufferedFile
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, &loader.BufferedFile{Name: strings.TrimPrefix(p, dir+"/"), Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading chart %s: %w", dir, err)
	}
	c, err := loader.LoadFiles(files)
	if err != nil {
		return nil, fmt.Errorf("loading chart %s: %w", dir, err)
	}
	return c, nil
}

// LoadPath loads a chart from a directory or a packaged .tgz.
func LoadPath(p string) (*Chart, error) {
	c, err := loader.Load(p)
	if err != nil {
		return nil, fmt.Errorf("loading chart %s: %w", p, err)
	}
	return c, nil
}

// LoadArchive loads a packaged chart (.tgz) held in memory.
func LoadArchive(data []byte) (*Chart, error) {
	c, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("loading chart archive: %w", err)
	}
	return c, nil
}

// Options are the release and cluster a chart is rendered for.
type Options struct {
	ReleaseName string
	Namespace   string
	// KubeVersion is what .Capabilities.KubeVersion reports, e.g. v1.29.0.
	KubeVersion string
	// APIVersions are added to Helm's built-in list for .Capabilities.APIVersions.
	APIVersions []string
	// IncludeCRDs adds the chart's crds/ folder to the result.
	IncludeCRDs bool
}

// Document is one rendered YAML document and the template it came from.
type Document struct {
	Source  string
	Content string
}

// Objects parses the document as objects of a component.
func (d Document) Objects(component string) ([]*manifest.Object, error) {
	return manifest.ParseYAML(component, []byte(d.Content))
}

// Result is one render: the chart's CRDs (when asked for) and every
// document its templates rendered, hooks included, as `helm template`
// prints them. What a hook becomes is the caller's policy: a hook is a
// document annotated helm.sh/hook.
type Result struct {
	CRDs      []Document
	Manifests []Document
}

// Render renders c with values for opts. The result is sorted so the same
// chart and values always give the same documents in the same order. c is
// not changed, so renders of one chart may run concurrently.
func Render(c *Chart, values map[string]any, opts Options) (*Result, error) {
	caps, err := capabilities(opts)
	if err != nil {
		return nil, err
	}
	if values == nil {
		values = map[string]any{}
	}
	if err := compileSchemas(c); err != nil {
		return nil, err
	}
	if c.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(c.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return nil, fmt.Errorf("chart %s requires Kubernetes %s, the platform runs %s", c.Name(), c.Metadata.KubeVersion, caps.KubeVersion.String())
	}
	res := &Result{}
	if err := res.render(c, values, opts.release(), caps); err != nil {
		return nil, fmt.Errorf("chart %s: %w", c.Name(), err)
	}
	if opts.IncludeCRDs {
		for _, crd := range c.CRDObjects() {
			res.CRDs = append(res.CRDs, Document{Source: crd.Filename, Content: string(crd.File.Data)})
		}
	}
	sort.SliceStable(res.CRDs, func(i, j int) bool { return res.CRDs[i].Source < res.CRDs[j].Source })
	return res, nil
}

func (opts Options) release() chartutil.ReleaseOptions {
	return chartutil.ReleaseOptions{Name: opts.ReleaseName, Namespace: opts.Namespace, Revision: 1, IsInstall: true}
}

// render runs Helm: dependencies, values, schema, templates.
func (res *Result) render(c *Chart, values map[string]any, release chartutil.ReleaseOptions, caps *chartutil.Capabilities) error {
	if len(c.Metadata.Dependencies) > 0 {
		// Helm's dependency processing rewrites the chart it is given
		// (enabled subcharts, imported values): give it a copy.
		var err error
		if c, err = cloneTree(c); err != nil {
			return err
		}
	}
	if err := chartutil.ProcessDependenciesWithMerge(c, values); err != nil {
		return fmt.Errorf("dependencies: %w", err)
	}
	// Helm's own check compiles the schema on every render; validateValues
	// uses it compiled once.
	renderValues, err := chartutil.ToRenderValuesWithSchemaValidation(c, values, release, caps, true)
	if err != nil {
		return fmt.Errorf("values: %w", err)
	}
	vals, _ := renderValues["Values"].(chartutil.Values)
	if err := validateValues(c, vals); err != nil {
		return err
	}
	files, err := engine.Render(c, renderValues)
	if err != nil {
		return err
	}
	for name := range files {
		if strings.HasSuffix(name, "NOTES.txt") {
			delete(files, name)
		}
	}
	res.split(files)
	return nil
}

// split cuts the rendered templates into documents with Helm's
// releaseutil.SplitManifests: templates in name order, documents in the
// order a template wrote them, empty ones dropped.
func (res *Result) split(files map[string]string) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if content := strings.TrimSpace(files[name]); !hasSeparator(content) {
			if content != "" {
				res.Manifests = append(res.Manifests, Document{Source: name, Content: content})
			}
			continue
		}
		docs := releaseutil.SplitManifests(files[name])
		keys := make([]string, 0, len(docs))
		for k := range docs {
			keys = append(keys, k)
		}
		sort.Sort(releaseutil.BySplitManifestsOrder(keys))
		for _, k := range keys {
			if content := strings.TrimSpace(docs[k]); content != "" {
				res.Manifests = append(res.Manifests, Document{Source: name, Content: content})
			}
		}
	}
}

// hasSeparator reports whether Helm's releaseutil.SplitManifests could cut
// the trimmed template output content in two: its separator is "---" at the
// start or right after a line break. Without one, SplitManifests returns
// content as it is, so the regular expression (tens of MB/s) need not read
// it; the job chart writes each namespace's jobs as one such document.
func hasSeparator(content string) bool {
	return strings.HasPrefix(content, "---") || strings.Contains(content, "\n---")
}

// helmLogMu lets one CollectHelmLog at a time own the standard logger.
var helmLogMu sync.Mutex

// CollectHelmLog runs f and returns what Helm logged meanwhile, one warning
// per distinct line. Helm's packages report warnings (a value that cannot
// override a table, an unknown hook skipped...) through the process-wide
// standard logger, so the collection covers every render f runs, however
// many run at once; the lines name the chart and value they are about.
func CollectHelmLog(f func() error) ([]string, error) {
	helmLogMu.Lock()
	defer helmLogMu.Unlock()
	var buf lockedBuffer
	out, flags, prefix := log.Writer(), log.Flags(), log.Prefix()
	log.SetOutput(&buf)
	log.SetFlags(0)
	log.SetPrefix("")
	err := f()
	log.SetOutput(out)
	log.SetFlags(flags)
	log.SetPrefix(prefix)
	var warnings []string
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		// Helm coalesces values more than once per render, and says so
		// each time.
		if line != "" && !seen[line] {
			seen[line] = true
			warnings = append(warnings, line)
		}
	}
	return warnings, err
}

// lockedBuffer is a buffer that concurrent renders may log into.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cloneTree copies a chart and its subcharts down to what Helm's dependency
// processing changes (the subchart list, the dependencies' metadata and the
// values it imports); templates and files stay shared, read only.
func cloneTree(c *Chart) (*Chart, error) {
	out := *c
	if c.Metadata != nil {
		md := *c.Metadata
		md.Dependencies = make([]*helmchart.Dependency, len(c.Metadata.Dependencies))
		for i, d := range c.Metadata.Dependencies {
			dep := *d
			md.Dependencies[i] = &dep
		}
		out.Metadata = &md
	}
	if c.Values != nil {
		v, err := copystructure.Copy(c.Values)
		if err != nil {
			return nil, fmt.Errorf("copying the values of chart %s: %w", c.Name(), err)
		}
		out.Values = v.(map[string]any)
	}
	subs := make([]*Chart, 0, len(c.Dependencies()))
	for _, s := range c.Dependencies() {
		sub, err := cloneTree(s)
		if err != nil {
			return nil, err
		}
		subs = append(subs, sub)
	}
	out.SetDependencies(subs...)
	return &out, nil
}

func capabilities(opts Options) (*chartutil.Capabilities, error) {
	caps := chartutil.DefaultCapabilities.Copy()
	if opts.KubeVersion != "" {
		kv, err := chartutil.ParseKubeVersion(opts.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("kubernetes version %q: %w", opts.KubeVersion, err)
		}
		caps.KubeVersion = *kv
	}
	caps.APIVersions = append(append(chartutil.VersionSet{}, caps.APIVersions...), opts.APIVersions...)
	return caps, nil
}
