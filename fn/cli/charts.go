package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// chartFlags are the chart source flags `render` and `charts pull` share.
type chartFlags struct {
	charts           []string
	online           bool
	chartsDir        string
	cacheDir         string
	plainHTTP        bool
	repositoryConfig string
	registryConfig   string
}

func (c *chartFlags) register(f *pflag.FlagSet, withOnline bool) {
	f.StringArrayVar(&c.charts, "chart", nil,
		"override a component's chart for this run: <component>=<chart folder|.tgz|https repository URL[@version]|oci://ref[:version]> (repeatable)")
	if withOnline {
		f.BoolVar(&c.online, "online", false,
			"allow pulling charts that are neither vendored nor cached (default: offline, only the catalog, local paths, the vendored folder and the cache)")
	}
	f.StringVar(&c.chartsDir, "charts-dir", "", "vendored charts folder with its "+source.LockFile+" (default: the platform's spec.chartsDir)")
	f.StringVar(&c.cacheDir, "cache-dir", "", "chart cache folder (default: $"+source.CacheDirEnv+", else $XDG_CACHE_HOME/krm-flink/charts)")
	f.BoolVar(&c.plainHTTP, "plain-http", false, "talk to the oci:// registries of --chart over plain HTTP")
	f.StringVar(&c.repositoryConfig, "repository-config", "", "Helm's repositories.yaml, for HTTP repository credentials (default: $"+source.RepositoryConfigEnv+", else Helm's)")
	f.StringVar(&c.registryConfig, "registry-config", "", "Helm's registry config.json, for OCI credentials (default: $"+source.RegistryConfigEnv+", else Helm's)")
}

// sourceOptions turns the flags into chart source options.
func (c *chartFlags) sourceOptions() (source.Options, error) {
	overrides, err := parseChartOverrides(c.charts, c.plainHTTP)
	if err != nil {
		return source.Options{}, err
	}
	return source.Options{
		Online:           c.online,
		CacheDir:         c.cacheDir,
		ChartsDir:        c.chartsDir,
		RepositoryConfig: c.repositoryConfig,
		RegistryConfig:   c.registryConfig,
		Overrides:        overrides,
	}, nil
}

// parseChartOverrides reads --chart component=source flags.
func parseChartOverrides(flags []string, plainHTTP bool) (map[string]api.ChartSource, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	out := map[string]api.ChartSource{}
	for _, f := range flags {
		name, ref, ok := strings.Cut(f, "=")
		if !ok || ref == "" {
			return nil, fmt.Errorf("--chart %s: want <component>=<source>", f)
		}
		if _, known := api.ComponentDefaults[name]; !known {
			return nil, fmt.Errorf("--chart %s: no component %q; the components are %s", f, name, strings.Join(componentNames(), ", "))
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("--chart %s: component %s is given twice", f, name)
		}
		src, err := parseChartRef(ref)
		if err != nil {
			return nil, fmt.Errorf("--chart %s: %w", f, err)
		}
		src.PlainHTTP = plainHTTP && api.IsOCI(src.Repo)
		out[name] = src
	}
	return out, nil
}

// parseChartRef reads a chart reference: oci://ref[:version], an http(s)
// repository URL[@version] or direct .tgz URL, else a local folder or .tgz.
func parseChartRef(ref string) (api.ChartSource, error) {
	switch {
	case api.IsOCI(ref):
		rest := strings.TrimPrefix(ref, "oci://")
		last := rest[strings.LastIndex(rest, "/")+1:]
		if name, tag, ok := strings.Cut(last, ":"); ok {
			return api.ChartSource{Repo: "oci://" + strings.TrimSuffix(rest, last) + name, Version: tag}, nil
		}
		return api.ChartSource{Repo: ref}, nil
	case strings.HasPrefix(ref, "https://"), strings.HasPrefix(ref, "http://"):
		if i := strings.LastIndex(ref, "@"); i > 0 {
			if _, err := semver.NewVersion(ref[i+1:]); err == nil {
				return api.ChartSource{Repo: ref[:i], Version: ref[i+1:]}, nil
			}
		}
		return api.ChartSource{Repo: ref}, nil
	case strings.Contains(ref, "://"):
		return api.ChartSource{}, fmt.Errorf("unsupported scheme in %s: give a local path, an http(s) URL or an oci:// reference", ref)
	}
	return api.ChartSource{Path: ref}, nil
}

func componentNames() []string {
	names := make([]string, 0, len(api.ComponentDefaults))
	for n := range api.ComponentDefaults {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func newChartsCommand(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "charts",
		Short: "Manage the third-party charts a platform renders",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newChartsPullCommand(stdout, stderr))
	return cmd
}

type pullOptions struct {
	files []string
	dir   string
	chartFlags
}

func newChartsPullCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &pullOptions{}
	cmd := &cobra.Command{
		Use:   "pull -f <file|dir>... --dir <folder>",
		Short: "Vendor the charts of a platform into a folder with a lock file",
		Long: `pull fetches the chart of every enabled component whose chart comes from an
HTTP(S) repository or an oci:// registry, in every environment (overrides may
pin other versions), into the chart cache and into --dir as <chart>-<version>.tgz,
and writes --dir/` + source.LockFile + ` with each component's source, pinned
version, chart version and sha256 digest. --dir is created when missing.
Built-in charts are skipped; local charts (a folder or .tgz) are not copied,
but their digest is locked too, so a change to one shows in the lock's diff.

Rendering then reads the vendored charts offline and fails when a chart's
digest is not the locked one. Point spec.chartsDir (or render --charts-dir)
at the folder. pull always uses the network; credentials come from Helm's
repositories.yaml and registry config and are never written anywhere.`,
		Example: `  krm-flink charts pull -f examples/platform --dir vendor/charts`,
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runPull(o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.files, "filename", "f", nil, "input file or folder (repeatable)")
	f.StringVar(&o.dir, "dir", "", "folder to vendor the charts and "+source.LockFile+" into (default: the platform's spec.chartsDir)")
	o.chartFlags.register(f, false)
	return cmd
}

func runPull(o *pullOptions, stdout, stderr io.Writer) error {
	set, err := readPlatform(o.files, stderr)
	if err != nil {
		return err
	}
	dir := o.dir
	if dir == "" && set.Platform.Spec.ChartsDir != "" {
		dir = filepath.Join(filepath.Dir(set.Platform.File), set.Platform.Spec.ChartsDir)
	}
	if dir == "" {
		return fmt.Errorf("no folder: give --dir or set spec.chartsDir on the platform")
	}
	opts, err := o.sourceOptions()
	if err != nil {
		return err
	}
	opts.Online = true
	opts.ChartsDir = "" // the old lock must not stand in the way of a new pull
	r, err := source.New(opts)
	if err != nil {
		return reportError(stderr, err)
	}
	lock := &source.Lock{}
	var pulled []*source.Pulled
	seen := map[string]bool{}
	var all problem.List
	for _, env := range resolve.Environments(set.Platform.FlinkPlatform) {
		platform, ps := resolve.PlatformFor(set.Platform, env)
		all = append(all, ps...)
		if ps.HasErrors() {
			continue
		}
		if cm := &platform.Spec.Components.CertManager; *cm.Enabled && source.IsRemoteManifest(cm.Manifest) && !seen["manifest\x00"+cm.Manifest] {
			seen["manifest\x00"+cm.Manifest] = true
			m, err := r.PullManifest(api.ComponentCertManager, cm.Manifest)
			if err != nil {
				all = append(all, problem.Errorf(set.Platform.File, set.Platform.Ref(), "spec.components.cert-manager.manifest", "%v", err))
			} else {
				lock.Charts = append(lock.Charts, source.LockedChart{Component: api.ComponentCertManager, Source: m.Source,
					Chart: source.ManifestChart, Digest: m.Digest, File: api.ComponentCertManager + "-" + path.Base(m.Source)})
				pulled = append(pulled, &source.Pulled{Data: m.Data})
				fmt.Fprintf(stdout, "%s: %s %s\n", api.ComponentCertManager, m.Source, m.Digest)
			}
		}
		for _, nc := range platform.Spec.Components.Each() {
			if !*nc.Enabled || nc.Name == api.ComponentCertManager && platform.Spec.Components.CertManager.Manifest != "" {
				continue
			}
			req := source.Request{Component: nc.Name, Chart: api.ComponentDefaults[nc.Name].Chart, Version: nc.Version,
				Source: nc.Chart, BaseDir: filepath.Dir(set.Platform.File)}
			if !r.IsRemote(req) {
				if key := "skip\x00" + nc.Name + r.Describe(req); !seen[key] {
					seen[key] = true
					fmt.Fprintf(stdout, "%s: %s needs no vendoring\n", nc.Name, r.Describe(req))
					if nc.Chart != nil && nc.Chart.Path != "" {
						lc, err := lockLocal(r, req, nc.Name, nc.Chart.Path, nc.Version)
						if err != nil {
							all = append(all, problem.Errorf(set.Platform.File, set.Platform.Ref(), "spec.components."+nc.Name+".chart.path", "%v", err))
							continue
						}
						lock.Charts = append(lock.Charts, lc)
						pulled = append(pulled, nil)
					}
				}
				continue
			}
			key := nc.Name + "\x00" + r.Describe(req) + "\x00" + nc.Version
			if seen[key] {
				continue
			}
			seen[key] = true
			p, err := r.Pull(req)
			if err != nil {
				all = append(all, problem.Errorf(set.Platform.File, set.Platform.Ref(), "spec.components."+nc.Name+".chart", "%v", err))
				continue
			}
			file := p.Chart + "-" + p.ChartVersion + ".tgz"
			lc := source.LockedChart{Component: nc.Name, Source: p.Source, Chart: p.Chart, Version: p.Version,
				ChartVersion: p.ChartVersion, Digest: p.Digest, File: file}
			if p.Prov != nil {
				lc.Prov = file + ".prov"
			}
			lock.Charts = append(lock.Charts, lc)
			pulled = append(pulled, p)
			fmt.Fprintf(stdout, "%s: %s %s %s\n", nc.Name, p.Source, p.ChartVersion, p.Digest)
		}
	}
	if all.HasErrors() {
		return reportProblems(stderr, all)
	}
	data, err := lock.Marshal()
	if err != nil {
		return reportError(stderr, err)
	}
	// A new folder is created even when every chart is local or built in.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return reportError(stderr, err)
	}
	for i, lc := range lock.Charts {
		if pulled[i] == nil {
			continue // a local chart stays where it is
		}
		if err := writeVendored(dir, lc, pulled[i]); err != nil {
			return reportError(stderr, err)
		}
	}
	if err := pruneVendored(dir, lock); err != nil {
		return reportError(stderr, err)
	}
	if err := os.WriteFile(filepath.Join(dir, source.LockFile), data, 0o644); err != nil {
		return reportError(stderr, err)
	}
	fmt.Fprintf(stdout, "wrote %s (%d charts)\n", filepath.Join(dir, source.LockFile), len(lock.Charts))
	return nil
}

// lockLocal is the lock entry of a local chart folder or .tgz: no file is
// vendored (File stays empty), but its digest is recorded, so a change to
// a chart kept beside the platform shows in the lock's diff. A folder's
// digest covers every file's path and bytes, in path order.
func lockLocal(r *source.Resolver, req source.Request, component, path, version string) (source.LockedChart, error) {
	l, err := r.Load(req)
	if err != nil {
		return source.LockedChart{}, err
	}
	digest := l.Digest
	if digest == "" {
		if digest, err = folderDigest(l.Source); err != nil {
			return source.LockedChart{}, err
		}
	}
	return source.LockedChart{Component: component, Source: filepath.ToSlash(path), Chart: l.Chart.Metadata.Name,
		Version: version, ChartVersion: l.Version(), Digest: digest}, nil
}

func folderDigest(dir string) (string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		rel, _ := filepath.Rel(dir, f)
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(data))
		h.Write(data)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

func writeVendored(dir string, lc source.LockedChart, p *source.Pulled) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, lc.File), p.Data, 0o644); err != nil {
		return err
	}
	if lc.Prov != "" {
		return os.WriteFile(filepath.Join(dir, lc.Prov), p.Prov, 0o644)
	}
	return nil
}

// pruneVendored removes the files an earlier lock listed that the new one
// does not; nothing else in the folder is touched.
func pruneVendored(dir string, lock *source.Lock) error {
	old, err := source.ReadLock(filepath.Join(dir, source.LockFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return nil // an unreadable old lock is simply replaced
	}
	keep := map[string]bool{}
	for _, c := range lock.Charts {
		keep[c.File] = true
		keep[c.Prov] = true
	}
	for _, c := range old.Charts {
		for _, f := range []string{c.File, c.Prov} {
			if f == "" || keep[f] || strings.Contains(f, "/") || strings.Contains(f, "..") {
				continue
			}
			if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// readPlatform reads the input files of a command that needs only a valid
// platform (charts pull, versions), reporting its problems.
func readPlatform(files []string, stderr io.Writer) (*input.Set, error) {
	if len(files) == 0 {
		return nil, fmt.Errorf("no input: give -f with a file or folder")
	}
	docs, probs := input.ReadDocuments(files)
	if probs.HasErrors() {
		return nil, reportProblems(stderr, probs)
	}
	set, probs := input.Collect(docs, input.Options{})
	if probs.HasErrors() {
		return nil, reportProblems(stderr, probs)
	}
	if probs := resolve.CheckPlatform(set.Platform); probs.HasErrors() {
		return nil, reportProblems(stderr, probs)
	}
	return set, nil
}
