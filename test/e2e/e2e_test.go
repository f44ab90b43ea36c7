// Package e2e runs the built krm-flink binary under the real consumers:
// kustomize (exec KRM function and plain builds of the committed overlays,
// as Argo CD and Flux run them), Flux's kustomize library (the same builds,
// as its kustomize-controller runs them) and kpt (fn render pipelines).
package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/krm-flink/krm-flink/internal/testutil"
)

var repoRoot = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}()

// workspace copies examples/ into a temp dir and builds krm-flink into its
// bin/, where the examples' exec paths point.
func workspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	testutil.CopyDir(t, filepath.Join(repoRoot, "examples"), filepath.Join(ws, "examples"))
	cmd := exec.Command("go", "build", "-o", filepath.Join(ws, "bin", "krm-flink"), "./cmd/krm-flink")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return ws
}

func runCmd(t *testing.T, dir string, name string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func overlayEnvs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(repoRoot, "overlays"))
	if err != nil {
		t.Fatalf("no overlays/ (run make render): %v", err)
	}
	var envs []string
	for _, e := range entries {
		if e.IsDir() {
			envs = append(envs, e.Name())
		}
	}
	if len(envs) == 0 {
		t.Fatal("overlays/ has no environments")
	}
	return envs
}

// TestPlainKustomizeBuildsEveryOverlay is what Argo CD and Flux run: plain
// `kustomize build`, no plugins, no network, on each environment (Argo CD)
// and on each of its layers (Flux), every object exactly once.
func TestPlainKustomizeBuildsEveryOverlay(t *testing.T) {
	kustomize := testutil.Tool(t, "kustomize")
	for _, env := range overlayEnvs(t) {
		t.Run(env, func(t *testing.T) {
			dir := filepath.Join(repoRoot, "overlays", env)
			layered := 0
			for _, layer := range []string{"crds", "prerequisites", "infrastructure", "workloads", "snapshots"} {
				// snapshots exists only where jobs declare FlinkStateSnapshots;
				// the whole-environment count below catches a layer left out.
				if _, err := os.Stat(filepath.Join(dir, layer)); layer == "snapshots" && os.IsNotExist(err) {
					continue
				}
				files := objectFiles(t, filepath.Join(dir, layer))
				out := build(t, kustomize, filepath.Join(dir, layer))
				if got := countObjects(out); got != len(files) || got == 0 {
					t.Errorf("layer %s: kustomize build printed %d objects, the folder has %d files", layer, got, len(files))
				}
				layered += len(files)
			}
			if got := countObjects(build(t, kustomize, dir)); got != layered {
				t.Errorf("the environment builds %d objects, its layers %d", got, layered)
			}
			for _, bootstrap := range []string{"flux", "argocd"} {
				if _, err := os.Stat(filepath.Join(dir, bootstrap)); err == nil {
					if got := countObjects(build(t, kustomize, filepath.Join(dir, bootstrap))); got == 0 {
						t.Errorf("%s builds no objects", bootstrap)
					}
				}
			}
		})
	}
}

func build(t *testing.T, kustomize, dir string) string {
	t.Helper()
	out, stderr, err := runCmd(t, repoRoot, kustomize, "build", dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v\n%s", dir, err, stderr)
	}
	return out
}

func countObjects(out string) int {
	return strings.Count(out, "\nkind: ") + boolInt(strings.HasPrefix(out, "kind: "))
}

// objectFiles lists the object files below dir (every YAML file but the kustomizations).
func objectFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	for p := range testutil.ReadTree(t, dir) {
		if filepath.Base(p) != "kustomization.yaml" {
			files = append(files, p)
		}
	}
	return files
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestKustomizeRunsTheFunction runs krm-flink as an exec KRM function from
// kustomize and expects exactly what the CLI committed into overlays/.
func TestKustomizeRunsTheFunction(t *testing.T) {
	kustomize := testutil.Tool(t, "kustomize")
	ws := workspace(t)
	for _, env := range overlayEnvs(t) {
		t.Run(env, func(t *testing.T) {
			got, stderr, err := runCmd(t, ws, kustomize, "build", "--enable-alpha-plugins", "--enable-exec", filepath.Join("examples", "kustomize", env))
			if err != nil {
				t.Fatalf("kustomize build: %v\n%s", err, stderr)
			}
			// kustomize prints nothing and exits 0 when exec is not enabled; never accept that.
			if strings.TrimSpace(got) == "" {
				t.Fatal("kustomize printed nothing: the function did not run")
			}
			if strings.Contains(got, "kind: FlinkJobSpec") || strings.Contains(got, "kind: FlinkPlatform") {
				t.Error("the input kinds leaked into kustomize's output")
			}
			want, stderr, err := runCmd(t, repoRoot, kustomize, "build", filepath.Join("overlays", env))
			if err != nil {
				t.Fatalf("kustomize build overlays/%s: %v\n%s", env, err, stderr)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("function output differs from overlays/%s (-overlay +function):\n%s", env, diff)
			}
		})
	}
}

// kptPackage assembles a kpt package from the example platform, for env.
func kptPackage(t *testing.T, ws, env string) string {
	t.Helper()
	pkg := filepath.Join(ws, "pkg")
	testutil.CopyDir(t, filepath.Join(ws, "examples", "platform"), pkg)
	for _, k := range []string{"kustomization.yaml", filepath.Join("jobs", "kustomization.yaml")} {
		_ = os.Remove(filepath.Join(pkg, k))
	}
	kptfile, err := os.ReadFile(filepath.Join(ws, "examples", "kpt", "Kptfile"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(pkg, "Kptfile"), kptfile, 0o644); err != nil {
		t.Fatal(err)
	}
	platform := filepath.Join(pkg, "platform.yaml")
	data, err := os.ReadFile(platform)
	if err != nil {
		t.Fatal(err)
	}
	annotated := strings.Replace(string(data), "  annotations:\n", "  annotations:\n    krm-flink.io/environment: "+env+"\n", 1)
	if err := os.WriteFile(platform, []byte(annotated), 0o644); err != nil {
		t.Fatal(err)
	}
	return pkg
}

// TestKptRendersThePackage runs `kpt fn render --allow-exec` twice on a
// package built from the example, then after a job is removed.
func TestKptRendersThePackage(t *testing.T) {
	kpt := testutil.Tool(t, "kpt")
	ws := workspace(t)
	env := overlayEnvs(t)[0]
	pkg := kptPackage(t, ws, env)
	// As the README says: run from the package root, the binary in its bin/.
	if err := os.MkdirAll(filepath.Join(pkg, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(ws, "bin", "krm-flink"), filepath.Join(pkg, "bin", "krm-flink")); err != nil {
		t.Fatal(err)
	}
	render := func() {
		t.Helper()
		if out, stderr, err := runCmd(t, pkg, kpt, "fn", "render", ".", "--allow-exec"); err != nil {
			t.Fatalf("kpt fn render: %v\n%s%s", err, out, stderr)
		}
	}
	render()
	want := testutil.ReadTree(t, filepath.Join(repoRoot, "overlays", env))
	for p := range want {
		// kpt gets the objects, not the kustomizations nor the bootstrap objects.
		if filepath.Base(p) == "kustomization.yaml" || strings.HasPrefix(p, "flux/") || strings.HasPrefix(p, "argocd/") {
			delete(want, p)
		}
	}
	got := testutil.ReadTree(t, filepath.Join(pkg, "rendered"))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("kpt output differs from overlays/%s (-overlay +kpt):\n%s", env, diff)
	}
	before := testutil.ReadTree(t, pkg)
	render()
	if diff := cmp.Diff(before, testutil.ReadTree(t, pkg)); diff != "" {
		t.Fatalf("a second kpt render changed the package:\n%s", diff)
	}
	if err := os.Remove(filepath.Join(pkg, "jobs", "autoscaling.yaml")); err != nil {
		t.Fatal(err)
	}
	render()
	after := testutil.ReadTree(t, filepath.Join(pkg, "rendered"))
	for p := range after {
		if strings.Contains(p, "autoscaling-example") {
			t.Errorf("%s survived the removal of its job", p)
		}
	}
	if _, ok := after["workloads/jobs/commerce/flinkdeployment-orders-enricher.yaml"]; !ok {
		t.Error("other jobs were lost")
	}
}

// TestKptReportsBadInput checks kpt shows krm-flink's results: the file, the
// object and the field, and fails the pipeline.
func TestKptReportsBadInput(t *testing.T) {
	kpt := testutil.Tool(t, "kpt")
	ws := workspace(t)
	pkg := kptPackage(t, ws, overlayEnvs(t)[0])
	job := filepath.Join(pkg, "jobs", "orders.yaml")
	data, _ := os.ReadFile(job)
	if err := os.WriteFile(job, bytes.Replace(data, []byte("parallelism: 4"), []byte("parallelism: 0"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(ws, "results")
	if err := os.MkdirAll(results, 0o755); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCmd(t, ws, kpt, "fn", "render", "pkg", "--allow-exec", "--results-dir", results)
	if err == nil {
		t.Fatalf("kpt accepted a job with parallelism 0:\n%s", out)
	}
	// kpt prints the object and field; the results file also has the file.
	resultsFile, _ := os.ReadFile(filepath.Join(results, "results.yaml"))
	all := out + stderr + string(resultsFile)
	for _, want := range []string{"spec.parallelism", "orders-enricher", "path: jobs/orders.yaml", "must be at least 1"} {
		if !strings.Contains(all, want) {
			t.Errorf("kpt output lacks %q:\n%s", want, all)
		}
	}
	if _, err := os.Stat(filepath.Join(pkg, "rendered")); !os.IsNotExist(err) {
		t.Error("a failed pipeline wrote rendered objects")
	}
}
