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

	"golang.org/x/sync/errgroup"
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
	if err := recoverAside(dir); err != nil {
		return fmt.Errorf("output %s: recovering from an interrupted run: %w", dir, err)
	}
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
	var reused map[string]bool
	if exists {
		if reused, err = carryOver(dir, staging, envs); err != nil {
			return err
		}
	}
	if err := writeTrees(staging, envs, reused); err != nil {
		return err
	}
	if !exists {
		if err := os.Rename(staging, dir); err != nil {
			return fmt.Errorf("output %s: %w", dir, err)
		}
		committed = true
		return nil
	}
	if err := swap(staging, dir); err != nil {
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
// krm-flink generated in the environments being replaced; of those, it
// links the ones the new tree has with the same bytes (an unchanged file
// costs a read and a link, not a new file) and returns them by slash path
// (env/path) so writeTrees skips them. The old tree is only read: the swap
// stays atomic, and removing the old tree afterwards leaves the linked
// files in the new one.
func carryOver(old, staging string, envs map[string]Tree) (map[string]bool, error) {
	var reuse []linkTask
	dirs := map[string]bool{}
	err := filepath.WalkDir(old, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(old, p)
		if err != nil || rel == "." {
			return err
		}
		target := filepath.Join(staging, rel)
		env, sub, _ := strings.Cut(filepath.ToSlash(rel), "/")
		tree, replaced := envs[env]
		if d.IsDir() {
			// In a replaced environment folders come back only with a file
			// kept in them, so a layout change leaves no empty folders.
			if replaced {
				return nil
			}
			dirs[target] = true
			return os.MkdirAll(target, 0o755)
		}
		if dir := filepath.Dir(target); !dirs[dir] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			dirs[dir] = true
		}
		if d.Type()&fs.ModeSymlink != 0 {
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		}
		if replaced && d.Type().IsRegular() {
			if data, ok := tree[sub]; ok {
				// Decided in parallel below: reused or written anew.
				reuse = append(reuse, linkTask{src: p, dst: target, rel: env + "/" + sub, data: data})
				return nil
			}
			generated, err := IsGenerated(p)
			if err != nil || generated {
				return err
			}
		}
		return linkOrCopy(p, target)
	})
	if err != nil {
		return nil, err
	}
	// A folder's files from one goroutine at a time (see writeTrees); the
	// walk lists them together.
	linked := make([]bool, len(reuse))
	var groups [][2]int
	for i := 0; i < len(reuse); {
		j := i + 1
		for j < len(reuse) && filepath.Dir(reuse[j].dst) == filepath.Dir(reuse[i].dst) {
			j++
		}
		groups = append(groups, [2]int{i, j})
		i = j
	}
	var g errgroup.Group
	g.SetLimit(writers)
	for _, group := range groups {
		g.Go(func() error {
			for i := group[0]; i < group[1]; i++ {
				var err error
				if linked[i], err = reuse[i].run(); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	reused := make(map[string]bool, len(reuse))
	for i, t := range reuse {
		if linked[i] {
			reused[t.rel] = true
		}
	}
	return reused, nil
}

// linkTask is a file of the old tree at a path the new tree writes too.
type linkTask struct {
	src, dst, rel string
	data          []byte
}

// run links src to dst when src is a generated file with the new bytes and
// the mode krm-flink writes, and reports whether it did. Otherwise the old
// file is left behind (writeTrees writes the new one), even one of the
// user's, which the generated file replaces.
func (t linkTask) run() (bool, error) {
	info, err := os.Lstat(t.src)
	if err != nil {
		return false, err
	}
	if !info.Mode().IsRegular() || info.Mode().Perm() != 0o644 || info.Size() != int64(len(t.data)) {
		return false, nil
	}
	got, err := os.ReadFile(t.src)
	if err != nil {
		return false, err
	}
	if !bytes.Equal(got, t.data) || !bytes.HasPrefix(got, []byte(Header)) {
		return false, nil
	}
	return os.Link(t.src, t.dst) == nil, nil
}

// writers is how many files Write creates at once: file creation is mostly
// kernel time, and a few goroutines overlap it (more did not help).
const writers = 4

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

// writeTrees writes every file of envs into staging but the reused ones
// (slash paths env/path), the folders first, then the files, a few folders
// at a time.
func writeTrees(staging string, envs map[string]Tree, reused map[string]bool) error {
	names := make([]string, 0, len(envs))
	for env := range envs {
		names = append(names, env)
	}
	sort.Strings(names)
	type file struct {
		target string
		data   []byte
	}
	var files []file
	dirs := map[string]bool{}
	for _, env := range names {
		for _, p := range envs[env].Paths() {
			if reused[env+"/"+p] {
				continue
			}
			target := filepath.Join(staging, env, filepath.FromSlash(p))
			if d := filepath.Dir(target); !dirs[d] {
				if err := os.MkdirAll(d, 0o755); err != nil {
					return err
				}
				dirs[d] = true
			}
			files = append(files, file{target, envs[env][p]})
		}
	}
	// One goroutine per folder at a time: creating files in one folder
	// from several goroutines only has them wait on the folder's lock.
	// Folders go largest first, so a big one does not end the run alone.
	var groups [][]file
	for i := 0; i < len(files); {
		j := i + 1
		for j < len(files) && filepath.Dir(files[j].target) == filepath.Dir(files[i].target) {
			j++
		}
		groups = append(groups, files[i:j])
		i = j
	}
	sort.SliceStable(groups, func(a, b int) bool { return len(groups[a]) > len(groups[b]) })
	var g errgroup.Group
	g.SetLimit(writers)
	for _, group := range groups {
		g.Go(func() error {
			for _, f := range group {
				if err := os.WriteFile(f.target, f.data, 0o644); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// Diff compares what would be written with what is on disk, per environment,
// and lists every generated file that is missing, changed or stale. Files
// are read from a few goroutines.
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
		var others []string // files on disk the tree does not have
		err := filepath.WalkDir(envDir, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == envDir {
				return fs.SkipAll
			}
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			rel, _ := filepath.Rel(envDir, p)
			if _, ok := tree[filepath.ToSlash(rel)]; !ok {
				others = append(others, filepath.ToSlash(rel))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		var g errgroup.Group
		g.SetLimit(writers)
		stale := make([]bool, len(others))
		for i, p := range others {
			g.Go(func() error {
				var err error
				stale[i], err = IsGenerated(filepath.Join(envDir, filepath.FromSlash(p)))
				return err
			})
		}
		paths := tree.Paths()
		status := make([]string, len(paths))
		for i, p := range paths {
			g.Go(func() error {
				got, err := os.ReadFile(filepath.Join(envDir, filepath.FromSlash(p)))
				switch {
				case errors.Is(err, fs.ErrNotExist):
					status[i] = "missing: "
				case err != nil:
					return err
				case !bytes.Equal(got, tree[p]):
					status[i] = "changed: "
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		for i, p := range paths {
			if status[i] != "" {
				diffs = append(diffs, status[i]+filepath.Join(envDir, p))
			}
		}
		var stalePaths []string
		for i, p := range others {
			if stale[i] {
				stalePaths = append(stalePaths, p)
			}
		}
		sort.Strings(stalePaths)
		for _, p := range stalePaths {
			diffs = append(diffs, "stale:   "+filepath.Join(envDir, p))
		}
	}
	return diffs, nil
}
