package output

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// errFound stops a walk at the first generated file.
var errFound = errors.New("found")

// RemovedEnvironments lists the folders directly under dir that are not
// among envs but hold a file krm-flink generated: what a renamed or removed
// environment leaves behind. Passed to Write or Diff with an empty Tree,
// their generated files are pruned or reported stale and the user's own
// files stay. Hidden folders are skipped.
func RemovedEnvironments(dir string, envs []string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(envs))
	for _, e := range envs {
		known[e] = true
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || known[e.Name()] || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		err := filepath.WalkDir(filepath.Join(dir, e.Name()), func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			if generated, err := IsGenerated(p); err != nil || generated {
				if err == nil {
					err = errFound
				}
				return err
			}
			return nil
		})
		switch {
		case errors.Is(err, errFound):
			out = append(out, e.Name())
		case err != nil:
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}
