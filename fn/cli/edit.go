package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/spf13/cobra"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/jobedit"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Operator releases the edit verbs depend on: FlinkStateSnapshot
// (operator 1.10) and savepointRedeployNonce (operator 1.8).
var (
	snapshotOperator = semver.MustParse("1.10.0")
	redeployOperator = semver.MustParse("1.8.0")
)

type editOptions struct {
	files []string
	from  string
}

// newEditCommands are the verbs that act on a running job through Git:
// each edits the job's FlinkJobSpec file in place, for review.
func newEditCommands(stdout, stderr io.Writer) []*cobra.Command {
	verbs := []struct {
		use, short, long string
	}{
		{"restart", "Restart a job: bump spec.restartNonce in its FlinkJobSpec",
			`restart edits the job's FlinkJobSpec file in place and bumps spec.restartNonce
(current value + 1, or 1): once synced, the operator restarts the job with its
upgradeMode.`},
		{"savepoint", "Take a savepoint: add a FlinkStateSnapshot, or bump spec.savepointTriggerNonce",
			`savepoint edits the job's FlinkJobSpec file in place. When every environment
the job renders in pins Flink operator 1.10 or later, it appends an item
{name: savepoint-<n>, type: savepoint} to spec.snapshots (a FlinkStateSnapshot,
n one more than the highest listed); on older operators it bumps
spec.savepointTriggerNonce.`},
		{"redeploy", "Redeploy a job from a savepoint: set spec.initialSavepointPath, bump spec.savepointRedeployNonce",
			`redeploy edits the job's FlinkJobSpec file in place: spec.initialSavepointPath
becomes --from and spec.savepointRedeployNonce is bumped, so the operator
redeploys the job from that savepoint (Flink operator 1.8 or later in every
environment the job renders in).`},
	}
	var cmds []*cobra.Command
	for _, v := range verbs {
		o := &editOptions{}
		verb := v.use
		use := verb + " <namespace>/<job> -f <file|dir>..."
		if verb == "redeploy" {
			use = verb + " --from <savepoint path> <namespace>/<job> -f <file|dir>..."
		}
		cmd := &cobra.Command{
			Use:   use,
			Short: v.short,
			Long: v.long + `

The inputs are those of render (the platform and the jobs): the platform's
pinned operator version decides what to write. Comments, key order and
formatting of the file are kept; only the changed line, or the added lines,
differ. The change then goes through review like any other, and plan shows
what it does.`,
			Example: example(verb),
			Args:    cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return runEdit(verb, o, args[0], stdout, stderr)
			},
		}
		f := cmd.Flags()
		f.StringArrayVarP(&o.files, "filename", "f", nil, "input file or folder (repeatable)")
		if verb == "redeploy" {
			f.StringVar(&o.from, "from", "", "the savepoint to redeploy from (required)")
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

func runEdit(verb string, o *editOptions, target string, stdout, stderr io.Writer) error {
	ns, name, ok := strings.Cut(target, "/")
	if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
		return fmt.Errorf("%q: want <namespace>/<job>", target)
	}
	if len(o.files) == 0 {
		return errors.New("-f is required: the platform and the job files")
	}
	if verb == "redeploy" && o.from == "" {
		return errors.New("--from is required: the savepoint path to redeploy from")
	}
	docs, probs := input.ReadDocuments(o.files)
	if probs.HasErrors() {
		return reportProblems(stderr, probs)
	}
	var job *input.Document
	var platformDocs []*input.Document
	var jobs []string
	for _, d := range docs {
		if d.Type.APIVersion != api.APIVersion {
			continue
		}
		switch d.Type.Kind {
		case api.KindPlatform:
			platformDocs = append(platformDocs, d)
		case api.KindJob:
			jobs = append(jobs, d.Type.Metadata.Namespace+"/"+d.Type.Metadata.Name)
			if d.Type.Metadata.Namespace == ns && d.Type.Metadata.Name == name {
				if job != nil {
					return reportProblems(stderr, problem.List{problem.Errorf(d.File, d.Ref(), "metadata.name", "duplicate job: %s is already defined in %s", target, job.File)})
				}
				job = d
			}
		}
	}
	if job == nil {
		return fmt.Errorf("no FlinkJobSpec %s in the inputs (%s); their jobs are: %s", target, strings.Join(o.files, ", "), orNone(jobs))
	}
	set, probs := input.Collect(platformDocs, input.Options{})
	if probs.HasErrors() {
		return reportProblems(stderr, probs)
	}
	minEnv, minVersion, prob := oldestOperator(set.Platform, job)
	if prob != nil {
		return reportProblems(stderr, problem.List{*prob})
	}

	var field string
	switch {
	case verb == "restart":
		field = "restartNonce"
	case verb == "savepoint" && !minVersion.LessThan(snapshotOperator):
		field = "snapshots"
	case verb == "savepoint":
		field = "savepointTriggerNonce"
	case minVersion.LessThan(redeployOperator):
		return reportProblems(stderr, problem.List{problem.Errorf(set.Platform.File, set.Platform.Ref(), "spec.components.flink-operator.version",
			"redeploy needs spec.savepointRedeployNonce, which the Flink operator reads from 1.8 on; environment %s runs %s", minEnv, minVersion.Original())})
	default:
		field = "savepointRedeployNonce"
	}
	fields := []string{field}
	if verb == "redeploy" {
		fields = append(fields, "initialSavepointPath")
	}
	if p := overriddenBy(job, fields); p != nil {
		return reportProblems(stderr, problem.List{*p})
	}

	src, err := os.ReadFile(job.File)
	if err != nil {
		return reportError(stderr, err)
	}
	var out []byte
	var done string
	switch field {
	case "snapshots":
		var item string
		out, item, err = jobedit.AppendSnapshot(src, ns, name, "savepoint")
		done = fmt.Sprintf("spec.snapshots: added {name: %s, type: savepoint}", item)
	case "savepointRedeployNonce":
		// The nonce first: inserted fields go first in spec, so the path
		// ends up above the nonce that acts on it.
		var n int64
		out, n, err = jobedit.BumpNonce(src, ns, name, field)
		if err == nil {
			out, err = jobedit.SetString(out, ns, name, "initialSavepointPath", o.from)
			done = fmt.Sprintf("spec.initialSavepointPath: %s, spec.%s: %d", o.from, field, n)
		}
	default:
		var n int64
		out, n, err = jobedit.BumpNonce(src, ns, name, field)
		done = fmt.Sprintf("spec.%s: %d", field, n)
	}
	if err != nil {
		return reportProblems(stderr, problem.List{problem.Errorf(job.File, job.Ref(), "", "%v", err)})
	}
	if err := writeInPlace(job.File, out); err != nil {
		return reportError(stderr, err)
	}
	fmt.Fprintf(stdout, "%s: %s %s: %s\n", job.File, api.KindJob, target, done)
	return nil
}

// oldestOperator is the oldest Flink operator release among the
// environments the job renders in: what every environment can do.
func oldestOperator(p *input.Platform, job *input.Document) (string, *semver.Version, *problem.Problem) {
	var spec struct {
		Spec struct {
			Only []string `json:"only"`
		} `json:"spec"`
	}
	_ = json.Unmarshal(job.JSON, &spec)
	var oldEnv string
	var oldest *semver.Version
	for _, env := range resolve.Environments(p.FlinkPlatform) {
		if len(spec.Spec.Only) > 0 && !slices.Contains(spec.Spec.Only, env) {
			continue
		}
		ep, probs := resolve.PlatformFor(p, env)
		if len(probs) > 0 {
			return "", nil, &probs[0]
		}
		raw := resolve.OperatorVersion(&ep.Spec)
		v, err := semver.NewVersion(raw)
		if err != nil {
			prob := problem.Errorf(p.File, p.Ref(), "spec.components.flink-operator.version",
				"environment %s: %q is not one operator version, which the edit verbs need to choose what to write", env, raw)
			return "", nil, &prob
		}
		if oldest == nil || v.LessThan(oldest) {
			oldEnv, oldest = env, v
		}
	}
	if oldest == nil {
		prob := problem.Errorf(job.File, job.Ref(), "spec.only", "the job renders in no environment of the platform")
		return "", nil, &prob
	}
	return oldEnv, oldest, nil
}

// overriddenBy refuses to edit a field an environment of the job sets:
// the edit would not reach that environment (a merge patch replaces it).
func overriddenBy(job *input.Document, fields []string) *problem.Problem {
	var spec struct {
		Spec struct {
			Environments map[string]map[string]json.RawMessage `json:"environments"`
		} `json:"spec"`
	}
	_ = json.Unmarshal(job.JSON, &spec)
	for _, env := range slices.Sorted(maps.Keys(spec.Spec.Environments)) {
		for _, f := range fields {
			if _, ok := spec.Spec.Environments[env][f]; ok {
				p := problem.Errorf(job.File, job.Ref(), "spec.environments."+env+"."+f,
					"environment %s sets %s itself, so an edit of spec.%s would not reach it: edit the job by hand", env, f, f)
				return &p
			}
		}
	}
	return nil
}

// writeInPlace replaces a file atomically, keeping its mode.
func writeInPlace(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(info.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func example(verb string) string {
	from := ""
	if verb == "redeploy" {
		from = " --from s3://flink-state/commerce/orders-enricher/savepoints/savepoint-0a1b2c"
	}
	return "  krm-flink " + verb + from + " commerce/orders-enricher -f examples/platform"
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}
