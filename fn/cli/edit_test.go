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
