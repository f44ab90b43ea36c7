package gitref

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
)

// TestFiles commits files in a repository built here, changes the work
// tree, and reads a sub-folder back as committed.
func TestFiles(t *testing.T) {
	root := t.TempDir()
	repo, err := git.PlainInit(root, false)
	if err != nil {
		t.Fatal(err)
	}
	write := func(p, data string) {
		t.Helper()
		p = filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("out/dev/a.yaml", "keep: a\n")
	write("out/dev/sub/b.yaml", "keep: b\n")
	write("out/dev/notes.md", "skip\n")
	write("other/c.yaml", "keep: c\n")
	if err := os.Symlink("a.yaml", filepath.Join(root, "out", "dev", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(0, 0)}
	if _, err := wt.Commit("first", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
	write("out/dev/a.yaml", "keep: changed on disk\n")
	keep := func(_ string, data []byte) bool { return strings.HasPrefix(string(data), "keep:") }

	got, err := Files(filepath.Join(root, "out"), "HEAD", keep)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"dev/a.yaml": []byte("keep: a\n"), "dev/sub/b.yaml": []byte("keep: b\n")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// A folder gone from the work tree, or one the revision lacks.
	if err := os.RemoveAll(filepath.Join(root, "out")); err != nil {
		t.Fatal(err)
	}
	if got, err := Files(filepath.Join(root, "out", "dev"), "HEAD", keep); err != nil || len(got) != 2 {
		t.Errorf("folder removed on disk: %v, %v", got, err)
	}
	if got, err := Files(filepath.Join(root, "new"), "HEAD", keep); err != nil || len(got) != 0 {
		t.Errorf("folder not in the revision: %v, %v", got, err)
	}
	// From a relative path, inside the work tree.
	t.Chdir(filepath.Join(root, "other"))
	if got, err := Files(".", "HEAD", keep); err != nil || string(got["c.yaml"]) != "keep: c\n" {
		t.Errorf("relative path: %v, %v", got, err)
	}
	if _, err := Files(t.TempDir(), "HEAD", keep); err == nil || !strings.Contains(err.Error(), "not in a Git repository") {
		t.Errorf("outside a repository: %v", err)
	}
}
