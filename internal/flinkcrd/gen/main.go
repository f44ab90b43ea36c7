// Command gen writes internal/flinkcrd/facts.txt from the upstream Flink
// operator CRDs: go generate ./internal/flinkcrd (the CRDs are read from
// ../shared/crds, or $KRM_FLINK_CRDS_DIR).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/krm-flink/krm-flink/internal/flinkcrd"
)

func main() {
	crds := flag.String("crds", "", "folder of flink-kubernetes-operator-<version>/ CRD folders")
	out := flag.String("o", "facts.txt", "file to write")
	flag.Parse()
	dir := *crds
	if env := os.Getenv("KRM_FLINK_CRDS_DIR"); env != "" {
		dir = env
	}
	text, err := flinkcrd.Build(dir)
	if err == nil {
		err = os.WriteFile(*out, []byte(text), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flinkcrd/gen:", err)
		os.Exit(1)
	}
}
