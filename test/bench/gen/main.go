// Command gen writes a synthetic krm-flink platform for the benchmarks:
//
//	go run ./test/bench/gen -jobs 1000 -envs 1 -o /tmp/bench/1000
//
// writes <o>/platform/ (platform.yaml and jobs/<namespace>/<job>.yaml, the
// input of `krm-flink render -f`), <o>/resourcelist.yaml (the same input as a
// kpt ResourceList for function mode) and, with -helm-values,
// <o>/helm/<env>/{jobs.txt,kube-version,values/} for the `helm template`
// baseline. It prints the layout as shell variables.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/krm-flink/krm-flink/test/bench"
)

func main() {
	var c bench.Config
	var out string
	flag.IntVar(&c.Jobs, "jobs", 100, "number of FlinkJobSpecs")
	flag.IntVar(&c.Envs, "envs", 1, "number of environments (the first, prod, is the one the ResourceList renders)")
	flag.IntVar(&c.Namespaces, "namespaces", 0, "number of job namespaces (default max(1, jobs/10))")
	flag.Uint64Var(&c.Seed, "seed", bench.DefaultSeed, "random seed")
	flag.BoolVar(&c.NoComponents, "no-components", false, "leave spec.components out instead of enabling all four explicitly")
	flag.BoolVar(&c.HelmValues, "helm-values", false, "also write every job's chart values for the helm template baseline")
	flag.BoolVar(&c.LargeCRDs, "large-crds", false, "the large-CRD case: local chart copies with a synthetic CRD of about 540 KB each, environments dev and prod (-envs ignored)")
	flag.StringVar(&out, "o", "", "output folder (required)")
	flag.Parse()
	if out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -jobs N [-envs N] [-namespaces N] [-seed N] [-helm-values] [-large-crds] -o DIR")
		os.Exit(2)
	}
	l, err := bench.Generate(out, c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil {
			return a
		}
		return p
	}
	fmt.Printf("PLATFORM=%s\nRESOURCELIST=%s\nENV=%s\nENVS=%q\nNAMESPACES=%d\n",
		abs(l.Platform), abs(l.ResourceList), l.Env, strings.Join(l.Envs, " "), l.Namespaces)
	if c.HelmValues {
		fmt.Printf("HELM_DIR=%s\n", abs(filepath.Join(l.Dir, bench.HelmDir)))
	}
}
