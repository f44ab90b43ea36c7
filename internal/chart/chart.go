// Package chart renders Helm charts in-process the way `helm template` does:
// client-only capabilities with an explicit Kubernetes version and API
// versions, values checked against values.schema.json, NOTES dropped, hooks
// split from manifests, CRDs from crds/ when asked. No helm binary, no cluster.
package chart

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"

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
	// decoded is Content's YAML, when Render parsed it already.
	decoded *manifest.Documents
}

// Objects parses the document as objects of a component (see
// manifest.ParseYAML). Render has parsed a manifest or hook already; the
// objects are that parse's maps, so call it once per document.
func (d Document) Objects(component string) ([]*manifest.Object, error) {
	if d.decoded != nil {
		return d.decoded.Objects(component)
	}
	return manifest.ParseYAML(component, []byte(d.Content))
}

// Hook is a rendered Helm hook and the events it was written for.
type Hook struct {
	Document
	Events []string
}

// Result is one render, split the way Helm splits it at install time.
type Result struct {
	CRDs      []Document
	Manifests []Document
	Hooks     []Hook
}

// Render renders c with values for opts. The result is sorted so the same
// chart and values always give the same documents in the same order.
func Render(c *Chart, values map[string]any, opts Options) (*Result, error) {
	caps, err := capabilities(opts)
	if err != nil {
		return nil, err
	}
	if values == nil {
		values = map[string]any{}
	}
	if err := chartutil.ProcessDependenciesWithMerge(c, values); err != nil {
		return nil, fmt.Errorf("chart %s: dependencies: %w", c.Name(), err)
	}
	release := chartutil.ReleaseOptions{Name: opts.ReleaseName, Namespace: opts.Namespace, Revision: 1, IsInstall: true}
	var renderValues chartutil.Values
	if Concurrent(c) {
		renderValues, err = toRenderValues(c, values, release, caps)
	} else {
		renderValues, err = chartutil.ToRenderValuesWithSchemaValidation(c, values, release, caps, true)
	}
	if err != nil {
		return nil, fmt.Errorf("chart %s: values: %w", c.Name(), err)
	}
	// Helm's own check (skipped above) compiles the schema on every render.
	vals, _ := renderValues["Values"].(chartutil.Values)
	if err := validateAgainstSchema(c, vals); err != nil {
		return nil, fmt.Errorf("chart %s: values: values don't meet the specifications of the schema(s) in the following chart(s):\n%s", c.Name(), err.Error())
	}
	var files map[string]string
	if Concurrent(c) {
		// A fixed template set: parsed once (see engine.go).
		files, err = renderTemplates(c, renderValues)
	} else {
		files, err = engine.Render(c, renderValues)
	}
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", c.Name(), err)
	}
	for name := range files {
		if strings.HasSuffix(name, "NOTES.txt") {
			delete(files, name)
		}
	}
	res, err := sortManifests(files)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", c.Name(), err)
	}
	if opts.IncludeCRDs {
		for _, crd := range c.CRDObjects() {
			res.CRDs = append(res.CRDs, Document{Source: path.Join(crd.Filename), Content: string(crd.File.Data)})
		}
	}
	sortDocuments(res.CRDs)
	sortDocuments(res.Manifests)
	sort.SliceStable(res.Hooks, func(i, j int) bool { return less(res.Hooks[i].Document, res.Hooks[j].Document) })
	return res, nil
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

func sortDocuments(docs []Document) {
	sort.SliceStable(docs, func(i, j int) bool { return less(docs[i], docs[j]) })
}

func less(a, b Document) bool {
	if a.Source != b.Source {
		return a.Source < b.Source
	}
	return a.Content < b.Content
}

// Concurrent tells whether Render may run on c from several goroutines at
// once: Render only reads a chart, except that Helm's dependency processing
// rewrites a chart that declares dependencies.
func Concurrent(c *Chart) bool {
	if c.Metadata == nil || c.Metadata.Dependencies != nil {
		return false
	}
	for _, d := range c.Dependencies() {
		if !Concurrent(d) {
			return false
		}
	}
	return true
}
