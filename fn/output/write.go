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
// krm-flink generated in the environments being replaced.
func carryOver(old, staging string, envs map[string]Tree) error {
	return filepath.WalkDir(old, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(old, p)
		if err != nil || rel == "." {
			return err
		}
		target := filepath.Join(staging, rel)
		env, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		_, replaced := envs[env]
		if d.IsDir() {
			// In a replaced environment folders come back only with a file
			// kept in them, so a layout change leaves no empty folders.
			if replaced {
				return nil
			}
			return os.MkdirAll(target, 0o755)
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		}
		if replaced && d.Type().IsRegular() {
			generated, err := IsGenerated(p)
			if err != nil || generated {
				return err
			}
		}
		return linkOrCopy(p, target)
	})
}

// IsGenerated tells whether the file at p starts with krm-flink's header:
// the mark of a file krm-flink owns and may replace or prune. The user's
// own files (a README, a patch) never carry it.
func IsGenerated(p string) (bool, error) {
	f, err := os.Open(p)
	if err != nil {
		return false, err
	}
	defer f.Close()
	buf := make([]byte, len(Header))
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	return n == len(Header) && string(buf) == Header, nil
}

// generatedFiles lists the files below dir that krm-flink generated, by
// slash path relative to dir.
func generatedFiles(dir string) (map[string]bool, error) {
	out := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipAll
		}
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		generated, err := IsGenerated(p)
		if generated {
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = true
		}
		return err
	})
	return out, err
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
// and lists every generated file that is missing, changed or stale.
func Diff(dir string, envs map[string]Tree) ([]string, error) {
	var diffs []string
	names := make([]string, 0, len(envs))
	for env := range envs {
		names = append(names, env)
	}
	sort.Strings(names)
	for _, env := range names {
		tree := envs[env]
		envDir := filepath.Join(dir, env)
		onDisk, err := generatedFiles(envDir)
		if err != nil {
			return nil, err
		}
		for _, p := range tree.Paths() {
			got, err := os.ReadFile(filepath.Join(envDir, filepath.FromSlash(p)))
			switch {
			case errors.Is(err, fs.ErrNotExist):
				diffs = append(diffs, "missing: "+filepath.Join(envDir, p))
			case err != nil:
				return nil, err
			case !bytes.Equal(got, tree[p]):
				diffs = append(diffs, "changed: "+filepath.Join(envDir, p))
			}
		}
		stale := make([]string, 0)
		for p := range onDisk {
			if _, ok := tree[p]; !ok {
				stale = append(stale, p)
			}
		}
		sort.Strings(stale)
		for _, p := range stale {
			diffs = append(diffs, "stale:   "+filepath.Join(envDir, p))
		}
	}
	return diffs, nil
}
