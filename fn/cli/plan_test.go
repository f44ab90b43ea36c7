package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGoldenPlan renders every testdata/plan case's base/ inputs to a temp
// folder, plans its head/ inputs (base/ again when there is none) against
// it and compares each format with expected.{txt,md,json}.
func TestGoldenPlan(t *testing.T) {
	root := filepath.Join(repoRoot, "testdata", "plan")
	for _, name := range caseDirs(t, root) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root, name)
			out := t.TempDir()
			args := caseArgs(t, dir)
			base := filepath.Join(dir, "base")
			if code, _, stderr := run(t, append([]string{"render", "-f", base, "-o", out}, args...)...); code != 0 {
				t.Fatalf("render base: exit %d:\n%s", code, stderr)
			}
			head := filepath.Join(dir, "head")
			if _, err := os.Stat(head); os.IsNotExist(err) {
				head = base
			}
			for format, file := range map[string]string{"text": "expected.txt", "markdown": "expected.md", "json": "expected.json"} {
				code, stdout, stderr := run(t, append([]string{"plan", "-f", head, "-o", out, "--format", format}, args...)...)
				if code != 0 {
					t.Fatalf("plan --format %s: exit %d:\n%s", format, code, stderr)
				}
				compareFile(t, filepath.Join(dir, file), stdout)
			}
		})
	}
}

// TestPlanFailOn checks --fail-on exits 1 exactly when a line reaches the
// threshold, and that the plan is printed either way.
func TestPlanFailOn(t *testing.T) {
	dir := filepath.Join(repoRoot, "testdata", "plan", "example")
	out := t.TempDir()
	if code, _, stderr := run(t, "render", "-f", filepath.Join(dir, "base"), "-o", out, "--all-envs"); code != 0 {
		t.Fatalf("render: exit %d:\n%s", code, stderr)
	}
	for _, tc := range []struct {
		input, failOn string
		want          int
	}{
		{"head", "state-loss", 1},
		{"head", "restart", 1},
		{"base", "state-loss", 0},
		{"base", "restart", 0},
	} {
		code, stdout, stderr := run(t, "plan", "-f", filepath.Join(dir, tc.input), "-o", out, "--all-envs", "--fail-on", tc.failOn)
		if code != tc.want {
			t.Errorf("%s --fail-on %s: exit %d, want %d\n%s", tc.input, tc.failOn, code, tc.want, stderr)
		}
		if !strings.Contains(stdout, "prod:") {
			t.Errorf("%s --fail-on %s: no plan printed:\n%s", tc.input, tc.failOn, stdout)
		}
	}
	if code, _, stderr := run(t, "plan", "-f", filepath.Join(dir, "base"), "-o", out, "--all-envs", "--fail-on", "safe"); code != 1 || !strings.Contains(stderr, "--fail-on") {
		t.Errorf("--fail-on safe: exit %d, %s", code, stderr)
	}
}
