package cli

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/krm-flink/krm-flink/internal/gitref"
	"github.com/krm-flink/krm-flink/internal/output"
	"github.com/krm-flink/krm-flink/internal/planner"
)

type planOptions struct {
	renderOptions
	format string
	failOn string
	base   string
}

func newPlanCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan -f <file|dir>... [--env NAME | --all-envs] -o <dir> [--base <git revision>]",
		Short: "Say what rendering would do to running Flink jobs, without writing",
		Long: `plan renders like render, in memory, compares the result with the tree on
disk under -o (or, with --base, with the overlays under -o at that revision of
the Git repository holding -o, read without a git binary) and prints, per
environment, one line per changed job (FlinkDeployment, FlinkSessionJob,
FlinkBlueGreenDeployment), FlinkStateSnapshot and platform object: the risk
(safe, restart, state-loss), the action and the fields that cause it. The
classification follows the Flink Kubernetes Operator's rules for spec changes
(fields it ignores, rescales, savepoint redeploys, upgrades with the job's
upgradeMode, blue/green transitions, snapshots triggered or disposed of) and
adds Karpenter drift (a changed NodePool template or EC2NodeClass replaces the
job's nodes) and operator restarts.

--fail-on exits 1 when a line is at or above the given risk, after printing
the plan.`,
		Example: `  krm-flink plan -f examples/platform --all-envs -o overlays
  krm-flink plan -f examples/platform --env prod -o overlays --format markdown --fail-on state-loss
  krm-flink plan -f platform -f jobs --all-envs -o overlays --base origin/main`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPlan(o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	o.registerInput(f, "plan")
	f.StringVarP(&o.out, "output", "o", "", "folder holding the rendered <env>/ sub-folders to compare with")
	f.StringVar(&o.base, "base", "", "compare with the overlays at this Git revision (commit, branch, tag, HEAD~1) of the repository holding -o, instead of the tree on disk")
	f.StringVar(&o.format, "format", "text", "output format: "+strings.Join(planner.Formats, ", "))
	f.StringVar(&o.failOn, "fail-on", "", "exit 1 when any line is at or above this risk: restart or state-loss")
	f.BoolVar(&o.requireDigests, "require-digests", false, "refuse images given by tag, as render does")
	o.charts.register(f, true)
	return cmd
}

func runPlan(o *planOptions, stdout, stderr io.Writer) error {
	if !slices.Contains(planner.Formats, o.format) {
		return fmt.Errorf("unknown --format %q: want %s", o.format, strings.Join(planner.Formats, ", "))
	}
	failOn := planner.StateLoss + 1 // never
	if o.failOn != "" {
		r, err := planner.ParseRisk(o.failOn)
		if err != nil || r == planner.Safe {
			return fmt.Errorf("--fail-on %q: want restart or state-loss", o.failOn)
		}
		failOn = r
	}
	trees, platformEnvs, err := renderTrees(&o.renderOptions, stderr)
	if err != nil {
		return err
	}
	readBase := func(env string) (output.Tree, error) { return planner.ReadTree(filepath.Join(o.out, env)) }
	var removed []string // environments gone from the platform: their trees are removed
	if o.base != "" {
		files, err := gitref.Files(o.out, o.base, func(_ string, data []byte) bool {
			return bytes.HasPrefix(data, []byte(output.Header))
		})
		if err != nil {
			return reportError(stderr, err)
		}
		bases := planner.ByEnvironment(files)
		readBase = func(env string) (output.Tree, error) { return bases[env], nil }
		for env := range bases {
			if !slices.Contains(platformEnvs, env) {
				removed = append(removed, env)
			}
		}
	} else if removed, err = output.RemovedEnvironments(o.out, platformEnvs); err != nil {
		return reportError(stderr, err)
	}
	for _, env := range removed {
		trees[env] = output.Tree{}
	}
	var plan planner.Plan
	for _, env := range sortedEnvs(trees) {
		base, err := readBase(env)
		if err != nil {
			return reportError(stderr, err)
		}
		e, err := planner.Compare(env, base, trees[env])
		if err != nil {
			return reportError(stderr, err)
		}
		plan.Environments = append(plan.Environments, e)
	}
	if err := planner.Write(stdout, plan, o.format); err != nil {
		return err
	}
	if plan.Max() >= failOn {
		fmt.Fprintf(stderr, "plan has changes at or above %s\n", failOn)
		return ExitError{Code: 1}
	}
	return nil
}
