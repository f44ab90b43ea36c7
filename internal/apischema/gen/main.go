// Command gen writes the JSON Schemas of krm-flink's input kinds and the
// generated reference sections of README.md (make generate); run it from
// the repository root.
package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/krm-flink/krm-flink/internal/apischema"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "apischema/gen:", err)
		os.Exit(1)
	}
}

func run() error {
	readme, err := os.ReadFile(apischema.README)
	if err != nil {
		return err
	}
	files, err := apischema.Generate(".", readme)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(name, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
