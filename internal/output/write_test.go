package output

import (
	"fmt"
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
	k, err := kustomization(t.Paths())
	if err != nil {
		panic(err)
	}
	t[KustomizationFile] = k
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

// TestWriteReusesUnchangedFiles checks that a re-render links the files it
// would write unchanged from the old tree, writes the changed ones as new
// files (never into the old tree's), prunes and stays atomic.
func TestWriteReusesUnchangedFiles(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "overlays")
	first := map[string]Tree{"prod": tree(map[string]string{
		"jobs/same.yaml": "same", "jobs/changed.yaml": "v1", "jobs/stale.yaml": "old", "jobs/mode.yaml": "mode",
		"jobs/user.yaml": "generated",
	})}
	if err := Write(out, first); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(out, "prod/jobs/mode.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "prod/jobs/user.yaml"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Keep a second link to every old file: what the old tree held must
	// never change, and an unchanged file must be the same inode.
	keep := filepath.Join(parent, "keep")
	if err := os.Mkdir(keep, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"same", "changed", "stale", "mode", "user"} {
		if err := os.Link(filepath.Join(out, "prod/jobs", f+".yaml"), filepath.Join(keep, f)); err != nil {
			t.Fatal(err)
		}
	}
	next := map[string]Tree{"prod": tree(map[string]string{
		"jobs/same.yaml": "same", "jobs/changed.yaml": "v2", "jobs/mode.yaml": "mode", "jobs/user.yaml": "generated", "jobs/new.yaml": "new",
	})}
	if err := Write(out, next); err != nil {
		t.Fatal(err)
	}
	if d, err := Diff(out, next); err != nil || len(d) != 0 {
		t.Fatalf("tree differs after the re-render: %v %v", d, err)
	}
	sameFile := func(a, b string) bool {
		x, err1 := os.Stat(a)
		y, err2 := os.Stat(b)
		return err1 == nil && err2 == nil && os.SameFile(x, y)
	}
	if !sameFile(filepath.Join(keep, "same"), filepath.Join(out, "prod/jobs/same.yaml")) {
		t.Error("an unchanged file was written anew, not linked")
	}
	for _, f := range []string{"changed", "mode", "user"} {
		if sameFile(filepath.Join(keep, f), filepath.Join(out, "prod/jobs", f+".yaml")) {
			t.Errorf("%s.yaml: the old file was reused", f)
		}
	}
	for f, want := range map[string]string{"same": Header + "same", "changed": Header + "v1", "stale": Header + "old", "mode": Header + "mode", "user": "mine"} {
		if got := read(t, filepath.Join(keep, f)); got != want {
			t.Errorf("the old tree's %s.yaml was changed in place: %q", f, got)
		}
	}
	if info, err := os.Stat(filepath.Join(out, "prod/jobs/mode.yaml")); err != nil || info.Mode().Perm() != 0o644 {
		t.Errorf("mode.yaml: %v %v, want a new 0644 file", info.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(out, "prod/jobs/stale.yaml")); !os.IsNotExist(err) {
		t.Errorf("stale generated file not pruned: %v", err)
	}
}

// TestWriteFailureKeepsTheOldTree makes the staging fail half-way (a file
// where the new tree needs a folder) and checks nothing changed.
func TestWriteFailureKeepsTheOldTree(t *testing.T) {
	out := filepath.Join(t.TempDir(), "overlays")
	first := map[string]Tree{"prod": tree(map[string]string{"a.yaml": "a", "b.yaml": "b"})}
	if err := Write(out, first); err != nil {
		t.Fatal(err)
	}
	bad := map[string]Tree{"prod": {"a.yaml": []byte(Header + "a"), "b.yaml": []byte(Header + "B"), "x": []byte(Header), "x/y.yaml": []byte(Header)}}
	if err := Write(out, bad); err == nil {
		t.Fatal("Write succeeded")
	}
	if d, err := Diff(out, first); err != nil || len(d) != 0 {
		t.Fatalf("the old tree changed: %v %v", d, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Errorf("staging folder left behind: %s", e.Name())
		}
	}
}

// TestWriteManyFiles writes and re-writes a tree of many files (the
// parallel path) and checks every byte.
func TestWriteManyFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "overlays")
	files := map[string]string{}
	for i := 0; i < 300; i++ {
		files[fmt.Sprintf("c%d/ns%d/f%d.yaml", i%3, i%7, i)] = strings.Repeat(fmt.Sprint(i), i%50)
	}
	want := map[string]Tree{"prod": tree(files), "dev": tree(files)}
	for i := 0; i < 2; i++ {
		if err := Write(out, want); err != nil {
			t.Fatal(err)
		}
		if d, err := Diff(out, want); err != nil || len(d) != 0 {
			t.Fatalf("run %d: %v %v", i, d, err)
		}
	}
}
