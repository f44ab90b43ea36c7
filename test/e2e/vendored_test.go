package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/krm-flink/krm-flink/internal/chart/charttest"
	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

// TestFunctionRendersVendoredCharts is the path a team takes to real charts
// in a pipeline: the platform names chart repositories, `krm-flink charts
// pull` vendors them once, and from then on kustomize and kpt run the
// function offline on the vendored folder (named by the
// krm-flink.io/charts-dir annotation) and get exactly what the CLI renders.
func TestFunctionRendersVendoredCharts(t *testing.T) {
	kustomize, kpt := testutil.Tool(t, "kustomize"), testutil.Tool(t, "kpt")
	ws := workspace(t)
	repo := charttest.NewRepo(t,
		// The operator at 1.7.0 (prod) and at 1.15.0 (staging's override).
		charttest.Fixture(t, "cert-manager"), charttest.Fixture(t, "flink-kubernetes-operator"),
		charttest.Fixture(t, "flink-kubernetes-operator-1.15"),
		charttest.Fixture(t, "aws-for-fluent-bit-0.2"), charttest.Fixture(t, "karpenter"))

	platform := filepath.Join(ws, "examples", "platform", "platform.yaml")
	edit(t, platform, func(s string) string {
		s = strings.Replace(s, "\nspec:\n", "\nspec:\n  chartsDir: vendor/charts\n", 1)
		head, components, ok := strings.Cut(s, "\n  components:\n")
		if !ok {
			t.Fatal("the example platform has no components")
		}
		for _, c := range []string{"cert-manager", "flink-operator", "fluent-bit", "karpenter"} {
			components = strings.Replace(components, "    "+c+":\n", "    "+c+":\n      chart: {repo: \""+repo.URL+"\"}\n", 1)
		}
		return head + "\n  components:\n" + components
	})
	// Nothing of the user's Helm setup or chart cache takes part.
	helmHome := t.TempDir()
	t.Setenv(source.RepositoryConfigEnv, filepath.Join(helmHome, "repositories.yaml"))
	t.Setenv(source.RegistryConfigEnv, filepath.Join(helmHome, "config.json"))
	t.Setenv(source.CacheDirEnv, t.TempDir())

	krmFlink := filepath.Join(ws, "bin", "krm-flink")
	if out, stderr, err := runCmd(t, ws, krmFlink, "charts", "pull", "-f", "examples/platform", "--cache-dir", t.TempDir()); err != nil {
		t.Fatalf("charts pull: %v\n%s%s", err, out, stderr)
	}
	pulled := repo.Requests.Load()
	t.Setenv(source.CacheDirEnv, t.TempDir()) // empty: only the vendored folder has the charts

	if _, stderr, err := runCmd(t, ws, krmFlink, "render", "-f", "examples/platform", "--all-envs", "-o", "out"); err != nil {
		t.Fatalf("render: %v\n%s", err, stderr)
	}
	for _, env := range overlayEnvs(t) {
		t.Run("kustomize/"+env, func(t *testing.T) {
			// kustomize runs the function in the folder of the kustomization
			// that lists the transformer: examples/kustomize/<env>.
			edit(t, filepath.Join(ws, "examples", "kustomize", env, "krm-flink", "kustomization.yaml"), func(s string) string {
				return strings.Replace(s, "commonAnnotations:\n", "commonAnnotations:\n  krm-flink.io/charts-dir: ../../platform/vendor/charts\n", 1)
			})
			got, stderr, err := runCmd(t, ws, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", filepath.Join("examples", "kustomize", env))
			if err != nil {
				t.Fatalf("kustomize build: %v\n%s", err, stderr)
			}
			want := build(t, kustomize, filepath.Join(ws, "out", env))
			if strings.TrimSpace(got) == "" || !strings.Contains(got, "kind: DaemonSet") {
				t.Fatalf("the function rendered no charts:\n%s", got)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("function output differs from the CLI's (-cli +function):\n%s", diff)
			}
		})
	}

	t.Run("kpt", func(t *testing.T) {
		env := overlayEnvs(t)[0]
		pkg := kptPackage(t, ws, env)
		// kpt runs the function where kpt runs: the workspace.
		edit(t, filepath.Join(pkg, "platform.yaml"), func(s string) string {
			return strings.Replace(s, "  annotations:\n", "  annotations:\n    krm-flink.io/charts-dir: pkg/vendor/charts\n", 1)
		})
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

	if n := repo.Requests.Load() - pulled; n != 0 {
		t.Errorf("rendering made %d requests to the chart repository; it must be offline", n)
	}
}

// edit rewrites a file through f, and fails if f changed nothing.
func edit(t *testing.T, path string, f func(string) string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	changed := f(string(data))
	if changed == string(data) {
		t.Fatalf("%s: the edit changed nothing", path)
	}
	if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
}
