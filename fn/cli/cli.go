// Package cli is the krm-flink command line: with no arguments it is a KRM
// function (ResourceList on stdin, ResourceList on stdout); `render` writes
// overlays directly; `version` prints the build.
package cli

import (
	"fmt"
	"io"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"github.com/spf13/cobra"

	"github.com/krm-flink/krm-flink/fn/krmfn"
)

// Version is stamped at build time with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

// ExitError carries an exit code without printing anything more.
type ExitError struct{ Code int }

func (e ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Main runs the command line with args and returns the process exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := NewRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		if e, ok := err.(ExitError); ok {
			return e.Code
		}
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	return 0
}

// NewRoot builds the command tree.
func NewRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "krm-flink",
		Short: "Compile a Flink platform's intent into hydrated Kubernetes manifests",
		Long: `krm-flink turns one FlinkPlatform and any number of FlinkJobSpecs into the
Kubernetes manifests a GitOps tool deploys.

Run with no arguments it is a KRM function: it reads a ResourceList on stdin
(functionConfig: the FlinkPlatform; items: FlinkJobSpecs) and writes one on
stdout, for kustomize (--enable-alpha-plugins --enable-exec) and kpt
(fn render --allow-exec).`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := fn.Execute(krmfn.Processor, stdin, stdout); err != nil {
				fmt.Fprintln(stderr, err)
				return ExitError{Code: 1}
			}
			return nil
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newRenderCommand(stdout, stderr), newChartsCommand(stdout, stderr), newVersionCommand(stdout))
	return root
}

func newVersionCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the krm-flink version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(stdout, "krm-flink", Version)
			return err
		},
	}
}
