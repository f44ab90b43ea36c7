package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func tree(files map[string]string) Tree {
	t := Tree{}
	for p, c := range files {
		t[p] = []byte(Header + c)
	}
	t[KustomizationFile] = kustomization(t.Paths())
	return t
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteReplacesPrunesAndKeepsUserFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "overlays")
	if err := Write(out, map[string]Tree{
		"prod":    tree(map[string]string{"jobs/a.yaml": "a1", "jobs/old.yaml": "old"}),
		"staging": tree(map[string]string{"jobs/a.yaml": "s1"}),
	}); err != nil {
		t.Fatal(err)
	}
	// The user adds files of their own next to the generated ones.
	for _, p := range []string{"prod/README.md", "prod/jobs/patch.yaml", "README.md"} {
		if err := os.WriteFile(filepath.Join(out, p), []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(out, map[string]Tree{"prod": tree(map[string]string{"jobs/a.yaml": "a2"})}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(out, "prod/jobs/a.yaml")); got != Header+"a2" {
		t.Errorf("prod/jobs/a.yaml = %q", got)
	}
	if _, err := os.Stat(filepath.Join(out, "prod/jobs/old.yaml")); !os.IsNotExist(err) {
		t.Errorf("stale generated file not pruned: %v", err)
	}
	for _, p := range []string{"prod/README.md", "prod/jobs/patch.yaml", "README.md"} {
		if got := read(t, filepath.Join(out, p)); got != "mine" {
			t.Errorf("user file %s = %q", p, got)
		}
	}
	if got := read(t, filepath.Join(out, "staging/jobs/a.yaml")); got != Header+"s1" {
		t.Errorf("an environment not rendered was changed: %q", got)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Errorf("staging folder left behind: %s", e.Name())
		}
	}
}

func TestWriteRefusesAFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "overlays")
	if err := os.WriteFile(out, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(out, map[string]Tree{"prod": tree(nil)})
	if err == nil || !strings.Contains(err.Error(), "is a file") {
		t.Fatalf("err = %v", err)
	}
}

func TestWriteRemovesStagingOfAKilledRun(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "overlays")
	stale := filepath.Join(parent, tempPrefix+"overlays-123")
	if err := os.MkdirAll(filepath.Join(stale, "prod"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(out, map[string]Tree{"prod": tree(nil)}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale staging folder kept: %v", err)
	}
}

func TestDiff(t *testing.T) {
	out := filepath.Join(t.TempDir(), "overlays")
	want := map[string]Tree{"prod": tree(map[string]string{"a.yaml": "a", "b.yaml": "b"})}
	if err := Write(out, want); err != nil {
		t.Fatal(err)
	}
	if d, err := Diff(out, want); err != nil || len(d) != 0 {
		t.Fatalf("fresh tree differs: %v %v", d, err)
	}
	next := map[string]Tree{"prod": tree(map[string]string{"a.yaml": "A", "c.yaml": "c"})}
	d, err := Diff(out, next)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(d, "\n")
	for _, w := range []string{"changed: " + filepath.Join(out, "prod", "a.yaml"), "missing: " + filepath.Join(out, "prod", "c.yaml"), "stale:   " + filepath.Join(out, "prod", "b.yaml")} {
		if !strings.Contains(got, w) {
			t.Errorf("diff lacks %q:\n%s", w, got)
		}
	}
}

func TestIsGenerated(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"gen.yaml": Header + "x", "mine.yaml": "x", "short": "#", "empty": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]bool{"gen.yaml": true, "mine.yaml": false, "short": false, "empty": false} {
		if got, err := IsGenerated(filepath.Join(dir, name)); err != nil || got != want {
			t.Errorf("IsGenerated(%s) = %v, %v; want %v", name, got, err, want)
		}
	}
}
