package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
	"github.com/krm-flink/krm-flink/internal/support"
)

func newVersionsCommand(stdout, stderr io.Writer) *cobra.Command {
	var files []string
	cmd := &cobra.Command{
		Use:   "versions -f <file|dir>...",
		Short: "Check each component version against the platform's Kubernetes version",
		Long: `versions prints, for every environment of the platform, each enabled
component's pinned version, the Kubernetes versions its project supports and
the verdict for the environment's kubernetesVersion. The table and its sources
are in internal/support/table.go. Render warns about the same findings.`,
		Example: `  krm-flink versions -f examples/platform`,
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runVersions(files, stdout, stderr)
		},
	}
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "input file or folder (repeatable)")
	return cmd
}

func runVersions(files []string, stdout, stderr io.Writer) error {
	set, err := readPlatform(files, stderr)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	var all problem.List
	for i, env := range resolve.Environments(set.Platform.FlinkPlatform) {
		platform, ps := resolve.PlatformFor(set.Platform, env)
		all = append(all, ps...)
		if ps.HasErrors() {
			continue
		}
		s := &platform.Spec
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "environment %s: Kubernetes %s\n", env, s.KubernetesVersion)
		fmt.Fprintln(w, "COMPONENT\tVERSION\tSUPPORTED KUBERNETES\tVERDICT")
		for _, r := range support.Components(s) {
			rng := r.Range
			if rng == "" {
				rng = "-"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.Component, r.Version, rng, r.Verdict)
		}
		for _, p := range support.Warnings(set.Platform.File, set.Platform.Ref(), s) {
			if p.Field == "spec.components.fluent-bit.version" {
				fmt.Fprintf(w, "fluent-bit: %s\n", p.Message)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if all.HasErrors() {
		return reportProblems(stderr, all)
	}
	return nil
}
