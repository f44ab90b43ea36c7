package cli

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/output"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

// TestCommittedOverlaysAreFresh fails when overlays/ is not what the example
// platform renders to today: run `make render` and commit the result.
func TestCommittedOverlaysAreFresh(t *testing.T) {
	code, stdout, stderr := run(t, "render", "-f", filepath.Join(repoRoot, "examples", "platform"),
		"--all-envs", "-o", filepath.Join(repoRoot, "overlays"), "--check")
	if code != 0 {
		t.Fatalf("overlays/ is stale; run `make render` and commit it.\n%s%s", stdout, stderr)
	}
}

// TestDeterministic renders the example platform, and the golden input
// with every kind the operator runs, from copies whose files and documents
// come in different orders and expects byte-identical trees.
func TestDeterministic(t *testing.T) {
	for _, src := range []string{
		filepath.Join(repoRoot, "examples", "platform"),
		filepath.Join(repoRoot, "testdata", "render", "session-cluster", "input"),
	} {
		t.Run(filepath.Base(filepath.Dir(src))+"/"+filepath.Base(src), func(t *testing.T) { checkDeterministic(t, src) })
	}
}

func checkDeterministic(t *testing.T, src string) {
	var docs []string
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !input.IsInputFile(d.Name()) {
			return err
		}
		data, err := os.ReadFile(p)
		for _, doc := range strings.Split(string(data), "\n---\n") {
			docs = append(docs, doc)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var first map[string]string
	for i := 0; i < 5; i++ {
		rng := rand.New(rand.NewSource(int64(i)))
		in := t.TempDir()
		shuffled := append([]string(nil), docs...)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		// Spread the documents over files whose names sort in a different order each time.
		for j, doc := range shuffled {
			name := filepath.Join(in, string(rune('a'+rng.Intn(26)))+"-"+strings.Repeat("x", j)+".yaml")
			if err := os.WriteFile(name, []byte(doc+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out := t.TempDir()
		if code, _, stderr := run(t, "render", "-f", in, "--all-envs", "-o", out); code != 0 {
			t.Fatalf("render: %s", stderr)
		}
		got := testutil.ReadTree(t, out)
		if first == nil {
			first = got
			continue
		}
		if diff := cmp.Diff(first, got); diff != "" {
			t.Fatalf("run %d differs from run 0:\n%s", i, diff)
		}
	}
}

func TestCheckReportsStaleTree(t *testing.T) {
	out := t.TempDir()
	in := filepath.Join(repoRoot, "testdata", "render", "minimal", "input")
	if code, _, stderr := run(t, "render", "-f", in, "--env", "dev", "-o", out); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := run(t, "render", "-f", in, "--env", "dev", "-o", out, "--check"); code != 0 {
		t.Fatalf("fresh tree reported stale: %s", stderr)
	}
	victim := filepath.Join(out, "dev", "workloads", "jobs", "demo", "flinkdeployment-wordcount.yaml")
	if err := os.WriteFile(victim, []byte("edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "render", "-f", in, "--env", "dev", "-o", out, "--check")
	if code != 1 || !strings.Contains(stderr, "changed: "+victim) {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if got, _ := os.ReadFile(victim); !bytes.Equal(got, []byte("edited by hand\n")) {
		t.Error("--check wrote to the tree")
	}
}

func TestCommandsHaveHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"render", "--help"}, {"version", "--help"}} {
		code, stdout, stderr := run(t, args...)
		if code != 0 || !strings.Contains(stdout, "Usage:") {
			t.Errorf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	code, stdout, _ := run(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "krm-flink ") {
		t.Errorf("version: %d %q", code, stdout)
	}
}

// TestRemovedEnvironmentIsPruned: an environment renamed or removed from
// the platform leaves overlays/<old>/ behind; --check reports its generated
// files as stale and render removes them, keeping the user's own files.
func TestRemovedEnvironmentIsPruned(t *testing.T) {
	out := t.TempDir()
	in := filepath.Join(repoRoot, "testdata", "render", "minimal", "input")
	if code, _, stderr := run(t, "render", "-f", in, "--all-envs", "-o", out); code != 0 {
		t.Fatal(stderr)
	}
	// What a previous render of an environment "qa" left, and a file of the user's.
	oldGenerated := filepath.Join(out, "qa", "workloads", "jobs", "demo", "flinkdeployment-wordcount.yaml")
	handWritten := filepath.Join(out, "qa", "README.md")
	if err := os.MkdirAll(filepath.Dir(oldGenerated), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(oldGenerated, []byte(output.Header+"kind: FlinkDeployment\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(handWritten, []byte("notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Environment-scoped or not, the check sees what no environment owns.
	for _, envArgs := range [][]string{{"--all-envs"}, {"--env", "dev"}} {
		code, _, stderr := run(t, append([]string{"render", "-f", in, "-o", out, "--check"}, envArgs...)...)
		if code != 1 || !strings.Contains(stderr, "stale:   "+oldGenerated) || strings.Contains(stderr, handWritten) {
			t.Fatalf("%v: exit %d, stderr:\n%s", envArgs, code, stderr)
		}
	}
	if code, _, stderr := run(t, "render", "-f", in, "--all-envs", "-o", out); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(oldGenerated); !os.IsNotExist(err) {
		t.Errorf("%s was not pruned (%v)", oldGenerated, err)
	}
	if got, _ := os.ReadFile(handWritten); string(got) != "notes\n" {
		t.Errorf("the user's %s was not kept", handWritten)
	}
	if code, _, stderr := run(t, "render", "-f", in, "--all-envs", "-o", out, "--check"); code != 0 {
		t.Fatalf("after pruning: exit %d\n%s", code, stderr)
	}
}

// TestMisuseIsAnError: a person trying the binary gets a pointer to --help
// and a failing exit code, never the function's parse error or the root help.
func TestMisuseIsAnError(t *testing.T) {
	tests := map[string]struct {
		args  []string
		stdin string
		want  string
	}{
		"bare, empty stdin":        {stdin: "", want: "try krm-flink --help"},
		"bare, blank stdin":        {stdin: "\n  \n", want: "try krm-flink --help"},
		"unknown command":          {args: []string{"bogus"}, want: `unknown command "bogus"`},
		"unknown command, --help":  {args: []string{"bogus", "--help"}, want: `unknown command "bogus"`},
		"unknown command, -h last": {args: []string{"rendr", "-h"}, want: `unknown command "rendr"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(tc.args, strings.NewReader(tc.stdin), &stdout, &stderr)
			if code == 0 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want non-zero and %q", code, stderr.String(), tc.want)
			}
		})
	}
}

// TestTerminalStdinIsRefused: a character device (a terminal; /dev/null is
// one too) is refused without reading, which would wait forever on a tty.
func TestTerminalStdinIsRefused(t *testing.T) {
	tty, err := os.Open(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	defer tty.Close()
	if _, err := functionInput(tty); err != errNoInput {
		t.Errorf("got %v, want %v", err, errNoInput)
	}
}
