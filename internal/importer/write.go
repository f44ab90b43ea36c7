package importer

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write writes every job's file under dir, <namespace>/<name>.yaml. Each
// file is written beside its place and renamed into it, so a reader never
// sees half a file; other files in dir are left alone.
func Write(dir string, jobs []*Job) error {
	for _, j := range jobs {
		p := filepath.Join(dir, filepath.FromSlash(j.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		tmp, err := os.CreateTemp(filepath.Dir(p), ".import-*")
		if err != nil {
			return err
		}
		_, werr := tmp.Write(j.Data)
		cerr := tmp.Close()
		if werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Chmod(tmp.Name(), 0o644)
		}
		if werr == nil {
			werr = os.Rename(tmp.Name(), p)
		}
		if werr != nil {
			_ = os.Remove(tmp.Name())
			return fmt.Errorf("writing %s: %w", p, werr)
		}
	}
	return nil
}
