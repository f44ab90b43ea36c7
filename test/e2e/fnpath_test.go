package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/krm-flink/krm-flink/internal/testutil"
)

// TestFunctionResolvesChartPathsAsTheCLI gives the platform a job chart in
// a folder beside it (spec.jobChart.path: charts/job) and expects kustomize
// (with krm-flink.io/base-dir, as the examples set it) and kpt (run from
// outside the package, with the chart folder in .krmignore) to render
// exactly what the CLI renders from the same platform.
func TestFunctionResolvesChartPathsAsTheCLI(t *testing.T) {
	kustomize, kpt := testutil.Tool(t, "kustomize"), testutil.Tool(t, "kpt")
	ws := workspace(t)
	platformDir := filepath.Join(ws, "examples", "platform")
	testutil.CopyDir(t, filepath.Join(repoRoot, "catalog", "charts", "flink-job"), filepath.Join(platformDir, "charts", "job"))
	edit(t, filepath.Join(platformDir, "platform.yaml"), func(s string) string {
		return strings.Replace(s, "\nspec:\n", "\nspec:\n  jobChart: {path: charts/job}\n", 1)
	})
	krmFlink := filepath.Join(ws, "bin", "krm-flink")
	if _, stderr, err := runCmd(t, ws, krmFlink, "render", "-f", "examples/platform", "--all-envs", "-o", "out"); err != nil {
		t.Fatalf("render: %v\n%s", err, stderr)
	}
	for _, env := range overlayEnvs(t) {
		t.Run("kustomize/"+env, func(t *testing.T) {
			got, stderr, err := runCmd(t, ws, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", filepath.Join("examples", "kustomize", env))
			if err != nil {
				t.Fatalf("kustomize build: %v\n%s", err, stderr)
			}
			want := build(t, kustomize, filepath.Join(ws, "out", env))
			if !strings.Contains(want, "kind: FlinkDeployment") {
				t.Fatal("the CLI rendered no FlinkDeployment")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("function output differs from the CLI's (-cli +function):\n%s", diff)
			}
		})
	}
	t.Run("kpt", func(t *testing.T) {
		env := overlayEnvs(t)[0]
		pkg := kptPackage(t, ws, env)
		if err := os.WriteFile(filepath.Join(pkg, ".krmignore"), []byte("charts/\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		// From the workspace, not the package root: the chart path still
		// starts at the platform file, which kpt locates.
		if out, stderr, err := runCmd(t, ws, kpt, "fn", "render", "pkg", "--allow-exec"); err != nil {
			t.Fatalf("kpt fn render: %v\n%s%s", err, out, stderr)
		}
		want := testutil.ReadTree(t, filepath.Join(ws, "out", env))
		for p := range want {
			if filepath.Base(p) == "kustomization.yaml" || strings.HasPrefix(p, "flux/") || strings.HasPrefix(p, "argocd/") {
				delete(want, p)
			}
		}
		if diff := cmp.Diff(want, testutil.ReadTree(t, filepath.Join(pkg, "rendered"))); diff != "" {
			t.Errorf("kpt output differs from the CLI's (-cli +kpt):\n%s", diff)
		}
	})
}

// TestKustomizeFailsOnAJobLeftOutOfItsList removes a job file from the
// hand-kept resources list: the function fails, naming the file, where it
// would have dropped the job without a word.
func TestKustomizeFailsOnAJobLeftOutOfItsList(t *testing.T) {
	kustomize := testutil.Tool(t, "kustomize")
	ws := workspace(t)
	edit(t, filepath.Join(ws, "examples", "platform", "jobs", "kustomization.yaml"), func(s string) string {
		return strings.Replace(s, "- orders.yaml\n", "", 1)
	})
	env := overlayEnvs(t)[0]
	out, stderr, err := runCmd(t, ws, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", filepath.Join("examples", "kustomize", env))
	if err == nil {
		t.Fatalf("kustomize accepted a platform whose job file is not listed:\n%s", out)
	}
	for _, want := range []string{"jobs/orders.yaml", "orders-enricher", "is not in the function's input"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestKustomizeExecPathIsRelativeToTheListingKustomization proves the
// README's rule: the exec path in the function config's annotation is
// relative to the kustomization that lists the transformer, not to the
// folder of the config. A decoy sits where the other reading would point.
func TestKustomizeExecPathIsRelativeToTheListingKustomization(t *testing.T) {
	kustomize := testutil.Tool(t, "kustomize")
	ws := workspace(t)
	env := overlayEnvs(t)[0]
	// ../../../bin/krm-flink from examples/kustomize/<env>/krm-flink.
	decoy := filepath.Join(ws, "examples", "bin", "krm-flink")
	if err := os.MkdirAll(filepath.Dir(decoy), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(decoy, []byte("#!/bin/sh\necho decoy ran >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	args := []string{"build", "--enable-alpha-plugins", "--enable-exec", filepath.Join("examples", "kustomize", env)}
	out, stderr, err := runCmd(t, ws, kustomize, args...)
	if err != nil || !strings.Contains(out, "kind: FlinkDeployment") || strings.Contains(stderr, "decoy") {
		t.Fatalf("the example's exec path did not run ws/bin/krm-flink: %v\n%s", err, stderr)
	}
	// Relative to the config's folder this names ws/bin/krm-flink; relative
	// to the listing kustomization it names nothing, and kustomize fails.
	edit(t, filepath.Join(ws, "examples", "kustomize", env, "krm-flink", "kustomization.yaml"), func(s string) string {
		return strings.Replace(s, "path: ../../../bin/krm-flink", "path: ../../../../bin/krm-flink", 1)
	})
	if out, _, err := runCmd(t, ws, kustomize, args...); err == nil {
		t.Fatalf("an exec path relative to the config's folder ran:\n%.300s", out)
	}
}
