// Command krm-flink compiles a Flink platform's intent into hydrated
// Kubernetes manifests; with no arguments it runs as a KRM function.
package main

import (
	"os"
	"runtime/debug"

	"github.com/krm-flink/krm-flink/fn/cli"
)

// renderGCPercent is the garbage collector's target for `render`: a render
// allocates mostly short-lived garbage (templates, YAML) and keeps little,
// and the process lives for a second or so. Collecting half as often as
// Go's default saves about a tenth of the CPU for a third more peak memory.
// Function mode keeps the default: its live heap is
// the whole ResourceList. GOGC, when set, wins.
const renderGCPercent = 200

func main() {
	if _, set := os.LookupEnv("GOGC"); !set && len(os.Args) > 1 && os.Args[1] == "render" {
		debug.SetGCPercent(renderGCPercent)
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
