// Command krm-flink compiles a Flink platform's intent into hydrated
// Kubernetes manifests; with no arguments it runs as a KRM function.
package main

import (
	"os"

	"github.com/krm-flink/krm-flink/fn/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
