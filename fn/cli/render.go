package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/output"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/render"
)

type renderOptions struct {
	files   []string
	env     string
	allEnvs bool
	out     string
	check   bool
	charts  chartFlags
	// requireDigests makes an image given by tag an error in every environment.
	requireDigests bool
}

func newRenderCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &renderOptions{}
	cmd := &cobra.Command{
		Use:   "render -f <file|dir>... [--env NAME | --all-envs] -o <dir>",
		Short: "Render overlays/<env>/ from a FlinkPlatform and its FlinkJobSpecs",
		Long: `render reads one FlinkPlatform and any number of FlinkJobSpecs from files and
folders (searched recursively for *.yaml and *.yml, skipping kustomization.yaml,
Kptfile, hidden folders and Helm chart folders) and writes <dir>/<env>/ for each chosen environment: one file per
object and a kustomization.yaml listing them.

The output tree is replaced atomically: on any error nothing is written. Files
in it that krm-flink did not write are kept; files it wrote and no longer
renders are removed. With --check nothing is written; the command exits 1 and
lists the differences when the tree on disk is not what it would write.

Third-party charts (cert-manager, flink-operator, fluent-bit, karpenter) come
from the built-in catalog (krm-flink fixtures standing in for the upstream
charts), local paths, the vendored charts folder (spec.chartsDir or
--charts-dir, verified against its charts.lock.yaml) or the chart cache.
Rendering is offline by default: it reaches a chart repository or registry
only with --online. --chart overrides a component's chart for one run.`,
		Example: `  krm-flink render -f examples/platform --all-envs -o overlays
  krm-flink render -f examples/platform --env prod -o overlays     --chart karpenter=oci://public.ecr.aws/karpenter/karpenter:0.34.0 --online
  krm-flink render -f platform.yaml -f jobs/ --env prod -o overlays --check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRender(o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	o.registerInput(f, "render")
	f.StringVarP(&o.out, "output", "o", "", "folder that receives <env>/ sub-folders")
	f.BoolVar(&o.check, "check", false, "write nothing; exit 1 if the folder differs from what would be written")
	f.BoolVar(&o.requireDigests, "require-digests", false, "refuse images given by tag: every Flink image and every image the components' charts render must be pinned by digest (repo@sha256:...), in every environment")
	o.charts.register(f, true)
	return cmd
}

// registerInput registers the flags that choose what render and plan
// read: the input files and the environments; verb names the command.
func (o *renderOptions) registerInput(f *pflag.FlagSet, verb string) {
	f.StringArrayVarP(&o.files, "filename", "f", nil, "input file or folder (repeatable)")
	f.StringVar(&o.env, "env", "", verb+" only this environment")
	f.BoolVar(&o.allEnvs, "all-envs", false, verb+" every environment of the platform")
}

// renderTrees renders the chosen environments in memory, as render writes
// them and plan compares them, and returns the trees and the platform's
// environments. Problems are reported on stderr; warnings are printed.
func renderTrees(o *renderOptions, stderr io.Writer) (map[string]output.Tree, []string, error) {
	if err := o.validate(); err != nil {
		return nil, nil, err
	}
	sources, err := o.charts.sourceOptions()
	if err != nil {
		return nil, nil, err
	}
	// Every stage runs on what the stages before it could read, so one run
	// reports every problem: a file that is not YAML does not hide a bad
	// job in another file, nor a bad job the platform's chart images.
	docs, all := input.ReadDocuments(o.files)
	set, probs := input.Collect(docs, input.Options{Incomplete: all.HasErrors()})
	all = append(all, probs...)
	if set.Platform == nil {
		return nil, nil, reportProblems(stderr, all)
	}
	if o.requireDigests {
		forceRequireDigests(set.Platform.FlinkPlatform)
	}
	opts := render.Options{Sources: sources}
	if sources.ChartsDir != "" {
		opts.ChartsDirFrom = "--charts-dir"
	}
	r, err := render.NewWithOptions(set, opts)
	if err != nil {
		ps, ok := err.(problem.List)
		if !ok {
			return nil, nil, reportError(stderr, err)
		}
		return nil, nil, reportProblems(stderr, render.Dedupe(append(append(all, ps...), render.Check(set)...)))
	}
	envs := []string{o.env}
	if o.allEnvs {
		envs = r.Environments()
	}
	trees := map[string]output.Tree{}
	var builder output.Builder
	for _, env := range envs {
		res, err := r.Render(env)
		if err != nil {
			if ps, ok := err.(problem.List); ok {
				all = append(all, ps...)
				continue
			}
			return nil, nil, reportError(stderr, err)
		}
		all = append(all, res.Warnings...)
		tree, err := builder.Build(res.Objects, res.Bootstrap)
		if err != nil {
			return nil, nil, reportError(stderr, fmt.Errorf("environment %s: %w", env, err))
		}
		trees[env] = tree
	}
	if all.HasErrors() {
		return nil, nil, reportProblems(stderr, render.Dedupe(all))
	}
	for _, w := range render.Dedupe(all.Warnings()) {
		fmt.Fprintln(stderr, w.String())
	}
	return trees, r.Environments(), nil
}

func runRender(o *renderOptions, stdout, stderr io.Writer) error {
	trees, platformEnvs, err := renderTrees(o, stderr)
	if err != nil {
		return err
	}
	rendered := sortedEnvs(trees)
	// An environment renamed or removed from the platform leaves its folder
	// behind: an empty tree prunes (or, with --check, reports) its
	// generated files, whichever environments this run renders.
	removed, err := output.RemovedEnvironments(o.out, platformEnvs)
	if err != nil {
		return reportError(stderr, err)
	}
	for _, env := range rendered {
		warnings, err := output.PrunedJobWarnings(o.out, env, trees[env])
		if err != nil {
			return reportError(stderr, err)
		}
		for _, w := range warnings {
			fmt.Fprintln(stderr, "warning: "+w)
		}
	}
	for _, env := range removed {
		trees[env] = output.Tree{}
	}
	if o.check {
		diffs, err := output.Diff(o.out, trees)
		if err != nil {
			return reportError(stderr, err)
		}
		if len(diffs) > 0 {
			fmt.Fprintf(stderr, "%s is stale; run krm-flink render without --check:\n", o.out)
			for _, d := range diffs {
				fmt.Fprintln(stderr, "  "+d)
			}
			return ExitError{Code: 1}
		}
		fmt.Fprintf(stdout, "%s is up to date (%s)\n", o.out, strings.Join(rendered, ", "))
		return nil
	}
	if renderPanicHook != nil {
		renderPanicHook()
	}
	if err := output.Write(o.out, trees); err != nil {
		return reportError(stderr, err)
	}
	for _, env := range rendered {
		fmt.Fprintf(stdout, "wrote %s (%d files)\n", filepath.Join(o.out, env), len(trees[env]))
	}
	for _, env := range removed {
		fmt.Fprintf(stdout, "pruned the generated files of %s: the platform has no environment %s\n", filepath.Join(o.out, env), env)
	}
	return nil
}

// renderPanicHook, when set by a test, runs just before the tree is written.
var renderPanicHook func()

func (o *renderOptions) validate() error {
	switch {
	case len(o.files) == 0:
		return fmt.Errorf("no input: give -f with a file or folder")
	case o.out == "":
		return fmt.Errorf("no output folder: give -o")
	case o.env == "" && !o.allEnvs:
		return fmt.Errorf("choose --env NAME or --all-envs")
	case o.env != "" && o.allEnvs:
		return fmt.Errorf("--env and --all-envs exclude each other")
	}
	if info, err := os.Stat(o.out); err == nil && !info.IsDir() {
		return fmt.Errorf("output %s is a file, not a directory", o.out)
	}
	return nil
}

func reportProblems(stderr io.Writer, probs problem.List) error {
	probs.Sort()
	for _, p := range probs {
		fmt.Fprintln(stderr, p.String())
	}
	n := 0
	for _, p := range probs {
		if p.Severity != problem.Warning {
			n++
		}
	}
	fmt.Fprintf(stderr, "%d error(s); nothing was written\n", n)
	return ExitError{Code: 1}
}

func reportError(stderr io.Writer, err error) error {
	if ps, ok := err.(problem.List); ok {
		return reportProblems(stderr, ps)
	}
	fmt.Fprintf(stderr, "error: %v\nnothing was written\n", err)
	return ExitError{Code: 1}
}

func sortedEnvs(trees map[string]output.Tree) []string {
	envs := make([]string, 0, len(trees))
	for e := range trees {
		envs = append(envs, e)
	}
	sort.Strings(envs)
	return envs
}

// forceRequireDigests turns spec.requireDigests on for the platform and every
// environment: an environment override cannot switch off --require-digests.
func forceRequireDigests(p *api.FlinkPlatform) {
	p.Spec.RequireDigests = true
	for i := range p.Spec.Environments {
		e := &p.Spec.Environments[i]
		var fields map[string]json.RawMessage
		if len(e.Overrides) == 0 || json.Unmarshal(e.Overrides, &fields) != nil {
			continue // a malformed override is reported when it is merged
		}
		if _, ok := fields["requireDigests"]; !ok {
			continue
		}
		delete(fields, "requireDigests")
		if data, err := json.Marshal(fields); err == nil {
			e.Overrides = data
		}
	}
}
