package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/chart/charttest"
	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

// chartsPlatform writes a platform whose components come from a chart
// repository (cert-manager, fluent-bit, flink-operator) and an OCI registry
// (karpenter), with a job, and returns its folder.
func chartsPlatform(t *testing.T, repoURL, ociRef string) string {
	t.Helper()
	dir := t.TempDir()
	platform := `apiVersion: krm-flink.io/v1alpha1
kind: FlinkPlatform
metadata:
  name: p
spec:
  clusterName: c1
  region: eu-west-1
  chartsDir: vendor/charts
  environments:
    - name: dev
  flink:
    image: flink:1.18
    flinkVersion: v1_18
    jobManager:
      resource: {cpu: 1, memory: 2048m}
    taskManager:
      resource: {cpu: 1, memory: 2048m}
  nodes:
    karpenter:
      nodeClass:
        role: KarpenterNodeRole-c1
  components:
    cert-manager:
      chart: {repo: "` + repoURL + `"}
    flink-operator:
      chart: {repo: "` + repoURL + `"}
    fluent-bit:
      chart: {repo: "` + repoURL + `"}
    karpenter:
      chart: {repo: "` + ociRef + `", plainHTTP: true}
---
apiVersion: krm-flink.io/v1alpha1
kind: FlinkJobSpec
metadata:
  name: j1
  namespace: team-a
spec:
  owner: team
  jarURI: local:///opt/flink/usrlib/job.jar
`
	if err := os.WriteFile(filepath.Join(dir, "platform.yaml"), []byte(platform), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func helmConfigFlags(t *testing.T) []string {
	cfg := t.TempDir()
	return []string{"--repository-config", filepath.Join(cfg, "repositories.yaml"), "--registry-config", filepath.Join(cfg, "config.json")}
}

// TestChartsPullAndRender vendors charts from an HTTP repository and an OCI
// registry, then renders offline from the vendored folder alone, and fails
// (writing nothing) once a vendored chart no longer matches the lock.
func TestChartsPullAndRender(t *testing.T) {
	repoSrv := charttest.NewRepo(t,
		charttest.Fixture(t, "cert-manager-v1.21"), charttest.Fixture(t, "flink-kubernetes-operator-1.15"), charttest.Fixture(t, "aws-for-fluent-bit-0.2"))
	reg := charttest.NewRegistry(t)
	reg.Push(t, charttest.Fixture(t, "karpenter-v1"), nil)
	dir := chartsPlatform(t, repoSrv.URL, reg.Ref("karpenter"))
	cfg := helmConfigFlags(t)

	out := t.TempDir()
	setup := repoSrv.Requests.Load() + reg.Requests.Load()
	code, _, stderr := run(t, append([]string{"render", "-f", dir, "--all-envs", "-o", out, "--cache-dir", t.TempDir()}, cfg...)...)
	if n := repoSrv.Requests.Load() + reg.Requests.Load() - setup; code != 1 || !strings.Contains(stderr, "rendering is offline") || n != 0 {
		t.Fatalf("render before pull: exit %d, %d requests\n%s", code, n, stderr)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Error("a failed render wrote files")
	}

	code, stdout, stderr := run(t, append([]string{"charts", "pull", "-f", dir, "--plain-http", "--cache-dir", t.TempDir()}, cfg...)...)
	if code != 0 {
		t.Fatalf("pull: exit %d\n%s%s", code, stdout, stderr)
	}
	lock, err := source.ReadLock(filepath.Join(dir, "vendor", "charts", source.LockFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(lock.Charts) != 4 {
		t.Fatalf("lock has %d charts:\n%s", len(lock.Charts), stdout)
	}
	for _, c := range lock.Charts {
		if _, err := os.Stat(filepath.Join(dir, "vendor", "charts", c.File)); err != nil {
			t.Errorf("%s: %v", c.Component, err)
		}
	}

	// Offline, with an empty cache: the vendored charts are enough.
	before := repoSrv.Requests.Load() + reg.Requests.Load()
	code, _, stderr = run(t, append([]string{"render", "-f", dir, "--all-envs", "-o", out, "--cache-dir", t.TempDir()}, cfg...)...)
	if code != 0 || repoSrv.Requests.Load()+reg.Requests.Load() != before {
		t.Fatalf("render from vendored charts: exit %d\n%s", code, stderr)
	}
	got := testutil.ReadTree(t, out)
	for _, p := range []string{
		"dev/prerequisites/cert-manager/cert-manager/deployment-cert-manager.yaml",
		"dev/infrastructure/flink-operator/flink-operator/deployment-flink-kubernetes-operator.yaml",
		"dev/infrastructure/fluent-bit/kube-system/daemonset-aws-for-fluent-bit.yaml",
		"dev/infrastructure/karpenter/karpenter/deployment-karpenter.yaml",
		"dev/crds/karpenter/_cluster/customresourcedefinition-nodepools.karpenter.sh.yaml",
	} {
		if _, ok := got[p]; !ok {
			t.Errorf("missing %s", p)
		}
	}

	// A vendored chart that changed is refused, and nothing is written.
	var karp source.LockedChart
	for _, c := range lock.Charts {
		if c.Component == "karpenter" {
			karp = c
		}
	}
	vendored := filepath.Join(dir, "vendor", "charts", karp.File)
	data, _ := os.ReadFile(vendored)
	if err := os.WriteFile(vendored, append(data, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	out2 := t.TempDir()
	code, _, stderr = run(t, append([]string{"render", "-f", dir, "--all-envs", "-o", out2}, cfg...)...)
	if code != 1 || !strings.Contains(stderr, "digest mismatch") || !strings.Contains(stderr, "karpenter") {
		t.Errorf("tampered vendored chart: exit %d\n%s", code, stderr)
	}
	if entries, _ := os.ReadDir(out2); len(entries) != 0 {
		t.Error("a failed render wrote files")
	}
}

// TestChartOverride: --chart points a component at another chart for one
// run; another version is a warning, another NodePool API an error.
func TestChartOverride(t *testing.T) {
	examples := filepath.Join(repoRoot, "examples", "platform")
	cm, _ := charttest.Package(t, charttest.WithVersion(charttest.Fixture(t, "cert-manager"), "v1.8.3"))
	out := t.TempDir()
	code, _, stderr := run(t, "render", "-f", examples, "--env", "prod", "-o", out, "--chart", "cert-manager="+cm)
	if code != 0 || !strings.Contains(stderr, "--chart cert-manager: chart cert-manager from "+cm+" is version v1.8.3, the platform pins v1.8.2") {
		t.Errorf("other version: exit %d\n%s", code, stderr)
	}
	code, _, stderr = run(t, "render", "-f", examples, "--env", "prod", "-o", t.TempDir(),
		"--chart", "karpenter="+filepath.Join(repoRoot, "catalog", "charts", "karpenter-v1"))
	if code != 1 || !strings.Contains(stderr, "--chart karpenter") || !strings.Contains(stderr, "Karpenter 1.14.1 serves only karpenter.sh/v1 NodePools") {
		t.Errorf("karpenter 1.x on v1beta1: exit %d\n%s", code, stderr)
	}
	for _, bad := range []string{"nope=./x", "karpenter", "karpenter=s3://bucket/x"} {
		if code, _, _ := run(t, "render", "-f", examples, "--env", "prod", "-o", t.TempDir(), "--chart", bad); code != 1 {
			t.Errorf("--chart %s accepted", bad)
		}
	}
	code, _, stderr = run(t, "render", "-f", examples, "--env", "prod", "-o", t.TempDir(), "--chart", "fluent-bit=/no/such/chart.tgz")
	if code != 1 || !strings.Contains(stderr, "component fluent-bit: chart /no/such/chart.tgz") {
		t.Errorf("missing chart: %s", stderr)
	}
}

func TestParseChartRef(t *testing.T) {
	for ref, want := range map[string]string{
		"oci://public.ecr.aws/karpenter/karpenter":       "repo=oci://public.ecr.aws/karpenter/karpenter version=",
		"oci://public.ecr.aws/karpenter/karpenter:1.0.6": "repo=oci://public.ecr.aws/karpenter/karpenter version=1.0.6",
		"oci://localhost:5000/charts/karpenter:0.34.0":   "repo=oci://localhost:5000/charts/karpenter version=0.34.0",
		"https://charts.jetstack.io":                     "repo=https://charts.jetstack.io version=",
		"https://charts.jetstack.io@v1.15.0":             "repo=https://charts.jetstack.io version=v1.15.0",
		"https://user@charts.example.com/stable":         "repo=https://user@charts.example.com/stable version=",
		"./charts/karpenter":                             "path=./charts/karpenter",
		"vendor/cert-manager-v1.8.2.tgz":                 "path=vendor/cert-manager-v1.8.2.tgz",
	} {
		src, err := parseChartRef(ref)
		if err != nil {
			t.Fatal(err)
		}
		got := "repo=" + src.Repo + " version=" + src.Version
		if src.Path != "" {
			got = "path=" + src.Path
		}
		if got != want {
			t.Errorf("%s: %s, want %s", ref, got, want)
		}
	}
}

// TestPrivateRepositoryCredentials: credentials come from Helm's
// repositories.yaml and appear in no output, lock or cache file.
func TestPrivateRepositoryCredentials(t *testing.T) {
	const user, password = "robot", "hunter2-very-secret"
	repoSrv := charttest.NewRepo(t,
		charttest.Fixture(t, "cert-manager-v1.21"), charttest.Fixture(t, "flink-kubernetes-operator-1.15"), charttest.Fixture(t, "aws-for-fluent-bit-0.2"))
	repoSrv.RequireBasicAuth(user, password)
	reg := charttest.NewRegistry(t)
	reg.Push(t, charttest.Fixture(t, "karpenter-v1"), nil)
	dir := chartsPlatform(t, repoSrv.URL, reg.Ref("karpenter"))
	cfgDir := t.TempDir()
	repos := filepath.Join(cfgDir, "repositories.yaml")
	if err := os.WriteFile(repos, []byte("apiVersion: v1\nrepositories:\n- name: private\n  url: "+repoSrv.URL+
		"\n  username: "+user+"\n  password: "+password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	flags := []string{"--repository-config", repos, "--registry-config", filepath.Join(cfgDir, "config.json"), "--cache-dir", cache}

	// Without credentials the repository refuses.
	code, stdout, stderr := run(t, "charts", "pull", "-f", dir, "--plain-http", "--repository-config", filepath.Join(cfgDir, "none.yaml"),
		"--registry-config", filepath.Join(cfgDir, "config.json"), "--cache-dir", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "401") {
		t.Fatalf("pull without credentials: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, append([]string{"charts", "pull", "-f", dir, "--plain-http"}, flags...)...)
	if code != 0 {
		t.Fatalf("pull: exit %d\n%s%s", code, stdout, stderr)
	}
	out := t.TempDir()
	code, stdout2, stderr2 := run(t, append([]string{"render", "-f", dir, "--all-envs", "-o", out}, flags...)...)
	if code != 0 {
		t.Fatalf("render: %s", stderr2)
	}
	texts := map[string]string{"pull stdout": stdout, "pull stderr": stderr, "render stdout": stdout2, "render stderr": stderr2}
	for _, root := range []string{out, cache, filepath.Join(dir, "vendor")} {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".tgz") {
				b, _ := os.ReadFile(p)
				texts[p] = string(b)
			}
			return nil
		})
	}
	for where, text := range texts {
		if strings.Contains(text, password) {
			t.Errorf("the password leaked into %s", where)
		}
	}
}

// TestChartsPullLocalChartsIntoNewFolder: pull creates a --dir that does not
// exist yet, and a local chart folder gets a lock entry with its digest, so
// a change to a chart kept beside the platform shows in the lock's diff.
func TestChartsPullLocalChartsIntoNewFolder(t *testing.T) {
	dir := t.TempDir()
	testutil.CopyDir(t, filepath.Join(repoRoot, "catalog", "charts", "aws-for-fluent-bit"), filepath.Join(dir, "charts", "fluent-bit"))
	platform := strings.Replace(testutil.Platform, "environments: [{name: dev}, {name: prod, overrides: {clusterName: c1-prod}}]", "environments: [{name: dev}]", 1) +
		`  components:
    cert-manager: {enabled: false}
    flink-operator: {enabled: false}
    karpenter: {enabled: false}
    fluent-bit:
      chart: {path: charts/fluent-bit}
`
	if err := os.WriteFile(filepath.Join(dir, "platform.yaml"), []byte(platform), 0o644); err != nil {
		t.Fatal(err)
	}
	vendor := filepath.Join(dir, "new", "vendor")
	code, stdout, stderr := run(t, "charts", "pull", "-f", filepath.Join(dir, "platform.yaml"), "--dir", vendor, "--cache-dir", t.TempDir())
	if code != 0 {
		t.Fatalf("pull into a new folder: exit %d\n%s%s", code, stdout, stderr)
	}
	lock, err := source.ReadLock(filepath.Join(vendor, source.LockFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(lock.Charts) != 1 || lock.Charts[0].Component != "fluent-bit" || lock.Charts[0].Source != "charts/fluent-bit" ||
		lock.Charts[0].ChartVersion != "0.1.32" || !strings.HasPrefix(lock.Charts[0].Digest, "sha256:") {
		t.Fatalf("lock: %+v", lock.Charts)
	}
	// The digest follows the chart's content.
	first := lock.Charts[0].Digest
	values := filepath.Join(dir, "charts", "fluent-bit", "values.yaml")
	data, _ := os.ReadFile(values)
	if err := os.WriteFile(values, append(data, "# changed\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "charts", "pull", "-f", filepath.Join(dir, "platform.yaml"), "--dir", vendor, "--cache-dir", t.TempDir()); code != 0 {
		t.Fatal(stderr)
	}
	if lock, err = source.ReadLock(filepath.Join(vendor, source.LockFile)); err != nil || lock.Charts[0].Digest == first {
		t.Errorf("digest unchanged after the chart changed (%v)", err)
	}
}
