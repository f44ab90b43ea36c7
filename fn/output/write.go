package output

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// tempPrefix names the staging folders next to the output folder; a run
// killed mid-way leaves one behind and the next run removes it.
const tempPrefix = ".krm-flink-staging-"

// Write replaces the environment folders named in envs under dir, all at
// once: the new tree is staged next to dir and swapped in with one atomic
// rename, so a reader (or a crash) sees the old tree or the new one, never a
// mix. Files krm-flink did not write are carried over; files it wrote before
// and no longer renders are pruned. Other environments are kept as they are.
func Write(dir string, envs map[string]Tree) error {
	dir = filepath.Clean(dir)
	info, err := os.Stat(dir)
	exists := err == nil
	switch {
	case exists && !info.IsDir():
		return fmt.Errorf("output %s is a file, not a directory", dir)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("output %s: %w", dir, err)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("output %s: %w", dir, err)
	}
	removeStale(parent, filepath.Base(dir))
	staging, err := os.MkdirTemp(parent, tempPrefix+filepath.Base(dir)+"-")
	if err != nil {
		return fmt.Errorf("output %s: staging: %w", dir, err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = os.RemoveAll(staging)
		}
	}()
	if err := os.Chmod(staging, 0o755); err != nil {
		return err
	}
	if exists {
		if err := carryOver(dir, staging, envs); err != nil {
			return err
		}
	}
	if err := writeTrees(staging, envs); err != nil {
		return err
	}
	if !exists {
		if err := os.Rename(staging, dir); err != nil {
			return fmt.Errorf("output %s: %w", dir, err)
		}
		committed = true
		return nil
	}
	if err := exchange(staging, dir); err != nil {
		return fmt.Errorf("output %s: swapping in the new tree: %w", dir, err)
	}
	// staging now holds the old tree.
	committed = true
	return os.RemoveAll(staging)
}

// removeStale deletes staging folders a killed run left next to dir.
func removeStale(parent, base string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), tempPrefix+base+"-") {
			_ = os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

// carryOver links every file of the old tree into staging except the files
// krm-flink manages in the environments being replaced.
func carryOver(old, staging string, envs map[string]Tree) error {
	managed := map[string]bool{}
	for env := range envs {
		data, err := os.ReadFile(filepath.Join(old, env, KustomizationFile))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		paths, err := ManagedPaths(data)
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(old, env), err)
		}
		for _, p := range paths {
			managed[filepath.Join(env, filepath.FromSlash(p))] = true
		}
	}
	return filepath.WalkDir(old, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(old, p)
		if err != nil || rel == "." {
			return err
		}
		target := filepath.Join(staging, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if managed[rel] {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		}
		return linkOrCopy(p, target)
	})
}

func linkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func writeTrees(staging string, envs map[string]Tree) error {
	names := make([]string, 0, len(envs))
	for env := range envs {
		names = append(names, env)
	}
	sort.Strings(names)
	dirs := map[string]bool{}
	for _, env := range names {
		for _, p := range envs[env].Paths() {
			target := filepath.Join(staging, env, filepath.FromSlash(p))
			if d := filepath.Dir(target); !dirs[d] {
				if err := os.MkdirAll(d, 0o755); err != nil {
					return err
				}
				dirs[d] = true
			}
			if err := os.WriteFile(target, envs[env][p], 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// Diff compares what would be written with what is on disk, per environment,
// and lists every managed file that is missing, changed or stale.
func Diff(dir string, envs map[string]Tree) ([]string, error) {
	var diffs []string
	names := make([]string, 0, len(envs))
	for env := range envs {
		names = append(names, env)
	}
	sort.Strings(names)
	for _, env := range names {
		tree := envs[env]
		onDisk := map[string]bool{}
		data, err := os.ReadFile(filepath.Join(dir, env, KustomizationFile))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		paths, err := ManagedPaths(data)
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			onDisk[p] = true
		}
		for _, p := range tree.Paths() {
			got, err := os.ReadFile(filepath.Join(dir, env, filepath.FromSlash(p)))
			switch {
			case errors.Is(err, fs.ErrNotExist):
				diffs = append(diffs, "missing: "+filepath.Join(dir, env, p))
			case err != nil:
				return nil, err
			case !bytes.Equal(got, tree[p]):
				diffs = append(diffs, "changed: "+filepath.Join(dir, env, p))
			}
		}
		for _, p := range paths {
			if _, ok := tree[p]; !ok {
				diffs = append(diffs, "stale:   "+filepath.Join(dir, env, p))
			}
		}
	}
	return diffs, nil
}
