package input

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/parallel"
	"github.com/krm-flink/krm-flink/internal/problem"
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

// ReadDocuments reads every document of the files and folders of paths
// (a folder's files as Files lists them), in sorted file order and each
// file once, so the same files give the same problems and the same output
// whatever order paths names them in.
func ReadDocuments(paths []string) ([]*Document, problem.List) {
	var files []string
	var probs problem.List
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			probs = append(probs, problem.Errorf(p, problem.ObjectRef{}, "", "cannot read: %v", pathError(err)))
			continue
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		found, err := Files(p)
		files = append(files, found...)
		if err != nil {
			probs = append(probs, problem.Errorf(p, problem.ObjectRef{}, "", "cannot read: %v", err))
		}
	}
	slices.Sort(files)
	files = slices.Compact(files)
	// Files are read and split on every core; documents keep file order.
	type read struct {
		docs  []*Document
		probs problem.List
	}
	var docs []*Document
	for _, r := range parallel.Map(files, func(f string) read {
		data, err := os.ReadFile(f)
		if err != nil {
			return read{probs: problem.List{problem.Errorf(f, problem.ObjectRef{}, "", "cannot read: %v", pathError(err))}}
		}
		d, ps := SplitDocuments(f, data)
		return read{d, ps}
	}) {
		probs = append(probs, r.probs...)
		docs = append(docs, r.docs...)
	}
	return docs, probs
}

// pathError is the cause of a file system error, without the path a
// problem names already.
func pathError(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}
