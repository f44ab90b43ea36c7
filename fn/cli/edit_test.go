package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/testutil"
)

// TestGoldenEdit runs the edit verb of each testdata/edit case (its args
// file) on a copy of its input/ folder, and compares the exit code and
// output with expected.out and the folder afterwards with expected/ (byte
// for byte; an error leaves it as input/ was).
func TestGoldenEdit(t *testing.T) {
	root := filepath.Join(repoRoot, "testdata", "edit")
	for _, name := range caseDirs(t, root) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root, name)
			args, err := os.ReadFile(filepath.Join(dir, "args"))
			if err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(t.TempDir(), "input")
			src := testutil.ReadTree(t, filepath.Join(dir, "input"))
			for p, data := range src {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(in, p)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(in, p), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, stdout, stderr := run(t, append(strings.Fields(string(args)), "-f", in)...)
			got := fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", code, stdout, stderr)
			compareFile(t, filepath.Join(dir, "expected.out"), strings.ReplaceAll(got, in, "INPUT"))
			after := testutil.ReadTree(t, in)
			if code != 0 {
				if !equalTrees(src, after) {
					t.Errorf("exit %d, yet the input changed", code)
				}
				return
			}
			compareTree(t, filepath.Join(dir, "expected"), after)
		})
	}
}

func equalTrees(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestEditThenPlan runs each edit verb on a copy of a rendered platform's
// inputs and plans the result: the edit renders, and the plan names the
// action the operator takes.
func TestEditThenPlan(t *testing.T) {
	tests := []struct {
		name, src string
		args      []string
		line      string // in the text plan of prod
	}{
		{"restart", filepath.Join(repoRoot, "examples", "platform"), []string{"restart", "commerce/orders-enricher"},
			"restart  FlinkDeployment commerce/orders-enricher  upgrade (savepoint)  spec.restartNonce"},
		{"savepoint before operator 1.10", filepath.Join(repoRoot, "examples", "platform"), []string{"savepoint", "commerce/orders-enricher"},
			"safe  FlinkDeployment commerce/orders-enricher  no restart: only fields the operator ignores  spec.job.savepointTriggerNonce"},
		{"redeploy", filepath.Join(repoRoot, "testdata", "plan", "rules", "base"), []string{"redeploy", "--from", "s3://state/demo/ignored/savepoints/savepoint-1", "demo/ignored"},
			"restart  FlinkDeployment demo/ignored  redeploy from initialSavepointPath  spec.job.initialSavepointPath, spec.job.savepointRedeployNonce"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := copyInputs(t, tc.src)
			out := t.TempDir()
			if code, _, stderr := run(t, "render", "-f", in, "-o", out, "--env", "prod"); code != 0 {
				t.Fatalf("render: exit %d:\n%s", code, stderr)
			}
			if code, _, stderr := run(t, append(tc.args, "-f", in)...); code != 0 {
				t.Fatalf("%v: exit %d:\n%s", tc.args, code, stderr)
			}
			code, stdout, stderr := run(t, "plan", "-f", in, "-o", out, "--env", "prod")
			if code != 0 {
				t.Fatalf("plan: exit %d:\n%s", code, stderr)
			}
			if !strings.Contains(stdout, tc.line) {
				t.Errorf("plan has no line %q:\n%s", tc.line, stdout)
			}
		})
	}
}
