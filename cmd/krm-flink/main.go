// Command krm-flink compiles a Flink platform's intent into hydrated
// Kubernetes manifests; with no arguments it runs as a KRM function.
package main

import (
	"os"
	"runtime/debug"

	"github.com/krm-flink/krm-flink/fn/cli"
)

// A render allocates a lot of short-lived garbage (templates, YAML) and
// keeps little, and the process lives for seconds: collecting four times
// less often than Go's default saves a good part of the CPU, within the
// memory budget (docs/benchmarks.md). The soft limit makes the collector
// work harder again before the heap outgrows it. GOGC and GOMEMLIMIT, when
// set, win.
const (
	gcPercent   = 400
	memoryLimit = 512 << 20
)

func main() {
	if _, ok := os.LookupEnv("GOGC"); !ok {
		debug.SetGCPercent(gcPercent)
	}
	if _, ok := os.LookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(memoryLimit)
	}
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
