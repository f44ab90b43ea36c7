// Package cli is the krm-flink command line: with no arguments it is a KRM
// function (ResourceList on stdin, ResourceList on stdout); `render` writes
// overlays directly; `version` prints the build.
package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"

	"github.com/spf13/cobra"

	"github.com/krm-flink/krm-flink/fn/krmfn"
)

// Version is stamped at build time with -ldflags "-X ...cli.Version=v1.2.3".
var Version = "dev"

// ExitError carries an exit code without printing anything more.
type ExitError struct{ Code int }

func (e ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Main runs the command line with args and returns the process exit code.
// A panic never reaches the user as a crash: it becomes "internal error:
// <value>" and exit code 1, with the stack only in debug mode (--debug or
// KRM_FLINK_DEBUG=1).
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if v := recover(); v != nil {
			code = internalError(stderr, v, debug.Stack(), debugMode(args))
		}
	}()
	root := NewRoot(stdin, stdout, stderr)
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
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
		// No Args check: cobra then reports an unknown command (even with
		// --help) instead of printing the root help and exiting 0.
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var stack io.Writer
			if debugFlag, _ := cmd.Flags().GetBool("debug"); debugFlag || debugMode(nil) {
				stack = stderr
			}
			in, err := functionInput(stdin)
			if err != nil {
				return err
			}
			results, err := krmfn.Execute(in, stdout, stack)
			if err != nil {
				for _, line := range krmfn.ErrorLines(results) {
					fmt.Fprintln(stderr, line)
				}
				fmt.Fprintln(stderr, err)
				return ExitError{Code: 1}
			}
			return nil
		},
	}
	root.PersistentFlags().Bool("debug", false, "print the stack trace of an internal error (also KRM_FLINK_DEBUG=1)")
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newRenderCommand(stdout, stderr), newPlanCommand(stdout, stderr), newChartsCommand(stdout, stderr), newVersionCommand(stdout), newVersionsCommand(stdout, stderr), newImportCommand(stdout, stderr))
	root.AddCommand(newEditCommands(stdout, stderr)...)
	return root
}

// errNoInput is what a bare krm-flink says when nothing is piped to it: a
// person trying the command, not kustomize or kpt calling the function.
var errNoInput = errors.New("no ResourceList on stdin: with no arguments krm-flink is a KRM function for kustomize and kpt; try krm-flink --help")

// functionInput reads the function's stdin, refusing a terminal (which would
// wait for input that never comes) and empty input.
func functionInput(stdin io.Reader) (io.Reader, error) {
	if f, ok := stdin.(*os.File); ok {
		if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
			return nil, errNoInput
		}
	}
	data, err := io.ReadAll(stdin)
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errNoInput
	}
	return bytes.NewReader(data), nil
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

// DebugEnv, set to 1 (or true), makes an internal error print its stack.
const DebugEnv = krmfn.DebugEnv

// debugMode tells whether the user asked for stack traces.
func debugMode(args []string) bool {
	switch os.Getenv(DebugEnv) {
	case "1", "true", "yes":
		return true
	}
	return slices.Contains(args, "--debug") || slices.Contains(args, "--debug=true")
}

// internalError reports a recovered panic: a krm-flink bug, not a problem
// with the input.
func internalError(stderr io.Writer, v any, stack []byte, debugging bool) int {
	fmt.Fprintf(stderr, "internal error: %v\n", v)
	if debugging {
		fmt.Fprintf(stderr, "%s", stack)
	} else {
		fmt.Fprintf(stderr, "this is a krm-flink bug: please report it; %s=1 or --debug prints the stack trace\n", DebugEnv)
	}
	return 1
}
