package input

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/krm-flink/krm-flink/internal/chart/source"
)

// Files lists the input files below dir, as the CLI reads a folder: every
// YAML file but kustomizations, Kptfiles and chart locks, skipping hidden
// folders and Helm charts (a platform's job chart is not input).
func Files(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "Chart.yaml")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if IsInputFile(d.Name()) {
			files = append(files, path)
		}
		return nil
	})
	return files, err
}

// IsInputFile tells whether a file of this name may hold input documents.
func IsInputFile(name string) bool {
	switch name {
	case "kustomization.yaml", "kustomization.yml", "Kptfile", source.LockFile:
		return false
	}
	ext := filepath.Ext(name)
	return (ext == ".yaml" || ext == ".yml") && !strings.HasPrefix(name, ".")
}
