package bench

import (
	"bufio"
	"bytes"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/fn/cli"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

var repoRoot = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}()

func TestGenerateIsDeterministic(t *testing.T) {
	c := Config{Jobs: 15, Envs: 3, HelmValues: true}
	a, b := t.TempDir(), t.TempDir()
	if _, err := Generate(a, c); err != nil {
		t.Fatal(err)
	}
	// Generating over an earlier output replaces it.
	if _, err := Generate(b, Config{Jobs: 7, Envs: 2, HelmValues: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(b, c); err != nil {
		t.Fatal(err)
	}
	fa, fb := testutil.ReadTree(t, a), testutil.ReadTree(t, b)
	if len(fa) == 0 {
		t.Fatal("nothing generated")
	}
	// Values files name their own folder in jobs.txt; compare relative.
	for p, data := range fb {
		fb[p] = strings.ReplaceAll(data, b, a)
	}
	if d := cmp.Diff(fa, fb); d != "" {
		t.Errorf("same config, different output (-first +second):\n%s", d)
	}
}

// TestGeneratedPlatformRenders renders every environment of a generated
// platform and runs it as a function: no errors, a FlinkDeployment per job.
func TestGeneratedPlatformRenders(t *testing.T) {
	l, err := Generate(t.TempDir(), Config{Jobs: 12, Envs: 3, Namespaces: 3})
	if err != nil {
		t.Fatal(err)
	}
	if l.Namespaces != 3 {
		t.Errorf("12 jobs over %d namespaces, want 3", l.Namespaces)
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := cli.Main([]string{"render", "-f", l.Platform, "--all-envs", "-o", out}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("render: exit %d\n%s", code, stderr.String())
	}
	prodJobs := countFiles(t, componentDir(t, filepath.Join(out, "prod"), "jobs"))
	if prodJobs != 12 {
		t.Errorf("prod has %d FlinkDeployments, want 12 (every job runs in prod)", prodJobs)
	}
	for _, env := range l.Envs {
		for _, component := range []string{"cert-manager", "flink-operator", "fluent-bit", "karpenter", "nodepools", "rbac", "jobs"} {
			if componentDir(t, filepath.Join(out, env), component) == "" {
				t.Errorf("%s: component %s not rendered", env, component)
			}
		}
	}

	rl, err := os.ReadFile(l.ResourceList)
	if err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if code := cli.Main([]string{}, bytes.NewReader(rl), &stdout, &stderr); code != 0 {
		t.Fatalf("function: exit %d\n%s", code, stderr.String())
	}
	if got := strings.Count(stdout.String(), "\n  kind: FlinkDeployment\n"); got != 12 {
		t.Errorf("function output has %d FlinkDeployments, want 12", got)
	}
	if strings.Contains(stdout.String(), "severity: error") {
		t.Errorf("function reported errors:\n%s", stdout.String())
	}
}

// TestHelmBaselineMatches checks the baseline is the same work: `helm
// template` of the job chart with the generated values gives the
// FlinkDeployment krm-flink renders, but for the two labels krm-flink adds.
// It runs the pinned helm that hack/install-tools.sh builds.
func TestHelmBaselineMatches(t *testing.T) {
	helm := testutil.Tool(t, "helm")
	l, err := Generate(t.TempDir(), Config{Jobs: 6, Envs: 2, HelmValues: true})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var stderr bytes.Buffer
	if code := cli.Main([]string{"render", "-f", l.Platform, "--all-envs", "-o", out}, strings.NewReader(""), io.Discard, &stderr); code != 0 {
		t.Fatalf("render: exit %d\n%s", code, stderr.String())
	}
	for _, env := range l.Envs {
		helmDir := filepath.Join(l.Dir, HelmDir, env)
		kv, err := os.ReadFile(filepath.Join(helmDir, KubeVersionFile))
		if err != nil {
			t.Fatal(err)
		}
		index, err := os.Open(filepath.Join(helmDir, JobsIndexFile))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		sc := bufio.NewScanner(index)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			name, ns, values := f[0], f[1], f[2]
			cmd := exec.Command(helm, "template", name, filepath.Join(repoRoot, "catalog", "charts", "flink-job"),
				"-n", ns, "-f", values, "--kube-version", strings.TrimSpace(string(kv)))
			cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
			got, err := cmd.Output()
			if err != nil {
				t.Fatalf("helm template %s: %v", name, err)
			}
			want, err := os.ReadFile(filepath.Join(componentDir(t, filepath.Join(out, env), "jobs"), ns, "flinkdeployment-"+name+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(object(t, want), listItem(t, got)); d != "" {
				t.Errorf("%s %s/%s: helm template differs from krm-flink (-krm-flink +helm):\n%s", env, ns, name, d)
			}
			n++
		}
		index.Close()
		if n == 0 {
			t.Errorf("%s: no jobs in %s", env, JobsIndexFile)
		}
	}
}

// componentDir is the folder of a component's namespaced objects in an
// environment's folder, whatever layer (<layer>/<component>) holds it; ""
// when none. A component may have folders in several layers (its CRDs in
// one, the rest in another): the one with namespaces is taken.
func componentDir(t *testing.T, envDir, component string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(envDir, "*", component))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m {
		if entries, _ := os.ReadDir(d); len(entries) > 0 && (len(entries) > 1 || entries[0].Name() != "_cluster") {
			return d
		}
	}
	if len(m) > 0 {
		return m[0]
	}
	return ""
}

// listItem parses the one FlinkDeployment of the job chart's List, as
// object does.
func listItem(t *testing.T, data []byte) map[string]any {
	t.Helper()
	list := object(t, data)
	items, _ := list["items"].([]any)
	if list["kind"] != "List" || len(items) != 1 {
		t.Fatalf("want a List of one item:\n%s", data)
	}
	item, err := sigsyaml.Marshal(items[0])
	if err != nil {
		t.Fatal(err)
	}
	return object(t, item)
}

// object parses one rendered object without the labels and annotations
// krm-flink adds.
func object(t *testing.T, data []byte) map[string]any {
	t.Helper()
	obj := map[string]any{}
	if err := sigsyaml.Unmarshal(data, &obj); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if meta, ok := obj["metadata"].(map[string]any); ok {
		if labels, ok := meta["labels"].(map[string]any); ok {
			delete(labels, "app.kubernetes.io/managed-by")
			delete(labels, "krm-flink.io/component")
		}
		// And the Argo CD annotations (gitops.Annotate).
		if ann, ok := meta["annotations"].(map[string]any); ok {
			for k := range ann {
				if strings.HasPrefix(k, "argocd.argoproj.io/") {
					delete(ann, k)
				}
			}
			if len(ann) == 0 {
				delete(meta, "annotations")
			}
		}
	}
	return obj
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLargeCRDCase checks the large-CRD case: each component's chart is a
// local copy carrying a synthetic CRD of about CRDSize bytes, deep and wide
// like an upstream one, and both environments render it.
func TestLargeCRDCase(t *testing.T) {
	l, err := Generate(t.TempDir(), Config{Jobs: 3, LargeCRDs: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(l.Envs, " "); got != "dev prod" {
		t.Errorf("environments %q, want dev prod", got)
	}
	for _, name := range largeCRDComponents {
		p := filepath.Join(l.Dir, ChartsDir, api.ComponentDefaults[name].Chart, "crds", crdFileName(name))
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(data); n < CRDSize*95/100 || n > CRDSize*105/100 {
			t.Errorf("%s: %d bytes, want %d within 5%%", p, n, CRDSize)
		}
		var crd map[string]any
		if err := sigsyaml.Unmarshal(data, &crd); err != nil {
			t.Fatal(err)
		}
		props, depth := schemaShape(crd["spec"].(map[string]any)["versions"].([]any)[0].(map[string]any)["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any), 0)
		if props < 1000 || depth < 10 {
			t.Errorf("%s: %d properties, %d levels deep; want at least 1000 and 10", p, props, depth)
		}
	}
	a, _ := LargeCRD("karpenter", 4, CRDSize)
	b, _ := LargeCRD("karpenter", 4, CRDSize)
	if !bytes.Equal(a, b) {
		t.Error("LargeCRD: same arguments, different bytes")
	}
	out := t.TempDir()
	var stderr bytes.Buffer
	if code := cli.Main([]string{"render", "-f", l.Platform, "--all-envs", "-o", out}, strings.NewReader(""), io.Discard, &stderr); code != 0 {
		t.Fatalf("render: exit %d\n%s", code, stderr.String())
	}
	for _, env := range l.Envs {
		p := filepath.Join(out, env, "crds", "flink-operator", "_cluster", "customresourcedefinition-"+strings.TrimSuffix(crdFileName("flink-operator"), ".yaml")+".yaml")
		if info, err := os.Stat(p); err != nil || info.Size() < CRDSize/2 {
			t.Errorf("%s: the large CRD is not rendered (%v)", env, err)
		}
	}
}

// schemaShape counts the properties of a schema and its depth.
func schemaShape(n map[string]any, depth int) (props, maxDepth int) {
	maxDepth = depth
	var kids []map[string]any
	if ps, ok := n["properties"].(map[string]any); ok {
		for _, p := range ps {
			props++
			kids = append(kids, p.(map[string]any))
		}
	}
	if it, ok := n["items"].(map[string]any); ok {
		kids = append(kids, it)
	}
	for _, k := range kids {
		p, d := schemaShape(k, depth+1)
		props += p
		maxDepth = max(maxDepth, d)
	}
	return props, maxDepth
}
