// Package gitref reads a folder as it was at a Git revision of the
// repository that holds it, in-process through go-git (no git binary).
package gitref

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Files returns the regular files under dir (a folder of a Git work tree,
// which need not exist on disk any more) as they were at rev, by path
// relative to dir with slashes, for which keep returns true. keep sees
// the file's path and contents. A folder the revision does not have gives
// no files.
func Files(dir, rev string, keep func(path string, data []byte) bool) (map[string][]byte, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	// The folder may be gone from the work tree (its environment removed):
	// find the repository from the nearest folder that exists.
	existing := abs
	for {
		if _, err := os.Stat(existing); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			return nil, fmt.Errorf("%s: no such folder", dir)
		}
		existing = parent
	}
	repo, err := git.PlainOpenWithOptions(existing, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("%s: not in a Git repository: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	rel, err := relative(wt.Filesystem.Root(), existing, abs)
	if err != nil {
		return nil, err
	}
	hash, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("--base %s: %w", rev, err)
	}
	commit, err := repo.CommitObject(*hash)
	if err != nil {
		return nil, fmt.Errorf("--base %s: %w", rev, err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, fmt.Errorf("--base %s: %w", rev, err)
	}
	if rel != "." {
		tree, err = tree.Tree(filepath.ToSlash(rel))
		if errors.Is(err, object.ErrDirectoryNotFound) {
			return map[string][]byte{}, nil
		}
		if err != nil {
			return nil, fmt.Errorf("--base %s: %s: %w", rev, filepath.ToSlash(rel), err)
		}
	}
	out := map[string][]byte{}
	err = tree.Files().ForEach(func(f *object.File) error {
		// Symbolic links and submodules are not files render writes.
		if f.Mode != filemode.Regular && f.Mode != filemode.Executable {
			return nil
		}
		r, err := f.Blob.Reader()
		if err != nil {
			return err
		}
		defer r.Close()
		data, err := io.ReadAll(r)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		if keep(f.Name, data) {
			out[f.Name] = data
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("--base %s: %w", rev, err)
	}
	return out, nil
}

// relative is abs's path inside the work tree root; existing is abs or
// its nearest existing parent, resolved through symbolic links as the
// root is.
func relative(root, existing, abs string) (string, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	realExisting, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return "", err
	}
	rest, err := filepath.Rel(existing, abs)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(realRoot, filepath.Join(realExisting, rest))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is not inside the Git work tree %s", abs, root)
	}
	return rel, nil
}
