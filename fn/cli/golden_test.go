package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/krm-flink/krm-flink/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

// repoRoot is where testdata/ and examples/ live.
const repoRoot = "../.."

// run executes the CLI in-process and returns exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// compareTree compares got with the golden folder, or rewrites it with -update.
func compareTree(t *testing.T, golden string, got map[string]string) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(golden); err != nil {
			t.Fatal(err)
		}
		for p, content := range got {
			target := filepath.Join(golden, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(target, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want := testutil.ReadTree(t, golden)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output differs from %s (-want +got); run `make golden` if intended:\n%s", golden, diff)
	}
}

// compareFile compares got with one golden file, or rewrites it with -update.
func compareFile(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); run `make golden` if intended:\n%s", golden, diff)
	}
}

// caseArgs reads the optional "args" file of a case: extra CLI flags.
func caseArgs(t *testing.T, dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "args"))
	if os.IsNotExist(err) {
		return []string{"--all-envs"}
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(data))
}

func caseDirs(t *testing.T, base string) []string {
	entries, err := os.ReadDir(base)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	sort.Strings(dirs)
	return dirs
}

// TestGoldenRender renders every testdata/render case and compares the whole
// output tree with its expected/ folder, and the warnings with its
// stderr.golden.
func TestGoldenRender(t *testing.T) {
	base := filepath.Join(repoRoot, "testdata", "render")
	for _, name := range caseDirs(t, base) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(base, name)
			out := t.TempDir()
			input := filepath.Join(dir, "input")
			args := append([]string{"render", "-f", input, "-o", out}, caseArgs(t, dir)...)
			code, _, stderr := run(t, args...)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			compareTree(t, filepath.Join(dir, "expected"), testutil.ReadTree(t, out))
			compareFile(t, filepath.Join(dir, "stderr.golden"), strings.ReplaceAll(stderr, input+string(filepath.Separator), ""))
		})
	}
}

// TestGoldenErrors renders every testdata/errors case, expects exit 1 with
// the golden stderr, and checks an existing overlay tree is left untouched.
func TestGoldenErrors(t *testing.T) {
	base := filepath.Join(repoRoot, "testdata", "errors")
	for _, name := range caseDirs(t, base) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(base, name)
			out := t.TempDir()
			keep := filepath.Join(out, "prod", "README.md")
			if err := os.MkdirAll(filepath.Dir(keep), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(keep, []byte("hand-written\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			before := testutil.ReadTree(t, out)
			input := filepath.Join(dir, "input")
			args := append([]string{"render", "-f", input, "-o", out}, caseArgs(t, dir)...)
			code, _, stderr := run(t, args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
			}
			stderr = strings.ReplaceAll(stderr, input+string(filepath.Separator), "")
			stderr = strings.ReplaceAll(stderr, out, "$OUT")
			compareFile(t, filepath.Join(dir, "stderr.golden"), stderr)
			if diff := cmp.Diff(before, testutil.ReadTree(t, out)); diff != "" {
				t.Errorf("a failed render changed the output tree:\n%s", diff)
			}
		})
	}
}
