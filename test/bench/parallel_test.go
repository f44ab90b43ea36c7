package bench

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/krm-flink/krm-flink/fn/cli"
)

// TestParallelRenderIsDeterministic renders a generated platform on one
// core and on four: jobs render in parallel, files are written from
// several goroutines, and neither may change a byte of the output, nor of
// the function's.
func TestParallelRenderIsDeterministic(t *testing.T) {
	l, err := Generate(t.TempDir(), Config{Jobs: 60, Envs: 2})
	if err != nil {
		t.Fatal(err)
	}
	rl, err := os.ReadFile(l.ResourceList)
	if err != nil {
		t.Fatal(err)
	}
	run := func(procs int) (map[string]string, string) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		out := t.TempDir()
		var stderr, stdout bytes.Buffer
		if code := cli.Main([]string{"render", "-f", l.Platform, "--all-envs", "-o", out}, strings.NewReader(""), io.Discard, &stderr); code != 0 {
			t.Fatalf("render: exit %d\n%s", code, stderr.String())
		}
		files := map[string]string{}
		err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(out, p)
			files[rel] = string(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if code := cli.Main([]string{}, bytes.NewReader(rl), &stdout, &stderr); code != 0 {
			t.Fatalf("function: exit %d\n%s", code, stderr.String())
		}
		return files, stdout.String()
	}
	files1, fn1 := run(1)
	files4, fn4 := run(4)
	if len(files1) < 60 {
		t.Fatalf("only %d files rendered", len(files1))
	}
	if d := cmp.Diff(files1, files4); d != "" {
		t.Errorf("render on 1 and 4 cores differs (-1 +4):\n%s", d)
	}
	if fn1 != fn4 {
		t.Errorf("function output on 1 and 4 cores differs:\n%s", cmp.Diff(fn1, fn4))
	}
}
