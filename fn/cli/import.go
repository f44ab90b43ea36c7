package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/krm-flink/krm-flink/internal/importer"
)

type importOptions struct {
	importer.Options
	out   string
	check bool
}

func newImportCommand(stdout, stderr io.Writer) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import -f <file|dir>... --platform <platform file> [--env NAME] -o <dir>",
		Short: "Turn running Flink operator objects into krm-flink specs, one per job",
		Long: `import reads the Flink operator's objects as kept in Git or as kubectl get
-o yaml prints them (a List too; status and server-set metadata are ignored)
and writes one spec per job to <dir>/<namespace>/<name>.yaml: a FlinkJobSpec
per FlinkDeployment (a FlinkSessionSpec when it has no spec.job) and per
FlinkBlueGreenDeployment (with blueGreen), a FlinkSessionJobSpec per
FlinkSessionJob (its session cluster imported with it), and each
FlinkStateSnapshot as an item of its job's spec.snapshots; a
FlinkStateSnapshot naming no job (an existing savepoint registered on its
own) is written as it is, to <dir>/<namespace>/flinkstatesnapshot-<name>.yaml,
an object of your own that render passes through. It leaves out what
the platform provides: values equal to its spec.flink, the Prometheus
reporter, the Datadog and Reloader annotations, the NodePool pinning, the
restricted security context and krm-flink's labels.

Every imported spec is rendered back with the platform and each original is
compared with the rendered object of its kind and name: a field krm-flink
cannot express, or one the platform would change, is an error naming the
object and the field (every one in one run), and nothing is written.
--allow-loss writes the files anyway and warns about each such field.
--check writes nothing and prints, per object, the risk of applying the
rendered object over the running one and every field that would change.

The owner comes from the label krm-flink.io/owner, else the owner tag of the
pod template's ad.datadoghq.com/tags annotation, else --owner.`,
		Example: `  kubectl get flinkdeployments -n commerce -o yaml > running.yaml
  krm-flink import -f running.yaml --platform platform/platform.yaml --env prod --check
  krm-flink import -f running.yaml --platform platform/platform.yaml --env prod -o platform/jobs`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runImport(o, stdout, stderr)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.Files, "filename", "f", nil, "file or folder of Flink operator objects (repeatable)")
	f.StringVar(&o.Platform, "platform", "", "the FlinkPlatform file (or a folder holding it) the jobs are rendered with")
	f.StringVar(&o.Env, "env", "", "the platform environment the objects run in (needed when it has several)")
	f.StringVarP(&o.out, "output", "o", "", "folder that receives <namespace>/<name>.yaml")
	f.BoolVar(&o.check, "check", false, "write nothing; print per job the plan risk and every field that would change")
	f.BoolVar(&o.AllowLoss, "allow-loss", false, "write the jobs even when fields would be lost, warning about each")
	f.StringVar(&o.Owner, "owner", "", "owner of jobs whose object names none")
	f.StringVarP(&o.Namespace, "namespace", "n", "", "namespace of objects that have none")
	return cmd
}

func runImport(o *importOptions, stdout, stderr io.Writer) error {
	switch {
	case len(o.Files) == 0:
		return fmt.Errorf("no input: give -f with a file or folder of Flink operator objects")
	case o.Platform == "":
		return fmt.Errorf("no platform: give --platform with the FlinkPlatform file")
	case o.out == "" && !o.check:
		return fmt.Errorf("no output folder: give -o (or --check)")
	}
	if info, err := os.Stat(o.out); o.out != "" && err == nil && !info.IsDir() {
		return fmt.Errorf("output %s is a file, not a directory", o.out)
	}
	// --check reports every difference, so it never stops at a loss.
	opts := o.Options
	opts.AllowLoss = opts.AllowLoss || o.check
	res, err := importer.Import(opts)
	if err != nil {
		return reportError(stderr, err)
	}
	if o.check {
		for _, w := range res.Warnings {
			fmt.Fprintln(stderr, w.String())
		}
		if err := importer.WriteCheck(stdout, res); err != nil {
			return reportError(stderr, err)
		}
		if !o.AllowLoss && res.AnyLost() {
			fmt.Fprintln(stderr, "some fields would be lost (marked !); import them with --allow-loss, or change the platform or the objects first")
			return ExitError{Code: 1}
		}
		return nil
	}
	warnings := append(res.Warnings, res.Losses...)
	warnings.Sort()
	for _, w := range warnings {
		fmt.Fprintln(stderr, w.String())
	}
	files := res.Files()
	if err := importer.Write(o.out, files); err != nil {
		return reportError(stderr, err)
	}
	for _, f := range files {
		fmt.Fprintln(stdout, "wrote", f.Path)
	}
	importer.WriteSummary(stderr, res, o.out)
	return nil
}
