package source

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart/charttest"
)

// make golden runs every package's tests with -update; this one has no
// golden files but must accept the flag.
var _ = flag.Bool("update", false, "rewrite golden files (none here)")

// newResolver returns a resolver with its own cache and no Helm config of
// the machine's.
func newResolver(t *testing.T, opts Options) *Resolver {
	t.Helper()
	if opts.CacheDir == "" {
		opts.CacheDir = filepath.Join(t.TempDir(), "cache")
	}
	if opts.RepositoryConfig == "" {
		opts.RepositoryConfig = filepath.Join(t.TempDir(), "repositories.yaml")
	}
	if opts.RegistryConfig == "" {
		opts.RegistryConfig = filepath.Join(t.TempDir(), "config.json")
	}
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBuiltInFixtures(t *testing.T) {
	r := newResolver(t, Options{})
	for name, d := range api.ComponentDefaults {
		l, err := r.Load(Request{Component: name, Chart: d.Chart, Version: d.Version})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !l.BuiltIn || !l.Fixture || l.Version() != d.Version || l.Chart.Metadata.Name != d.Chart {
			t.Errorf("%s: got %+v (version %s)", name, l, l.Version())
		}
		again, _ := r.Load(Request{Component: name, Chart: d.Chart, Version: d.Version})
		if again != l {
			t.Errorf("%s: loaded twice", name)
		}
	}
	// The v1beta1 pin and the reference platform's pins stay built in.
	for _, req := range []Request{
		{Component: "karpenter", Chart: "karpenter", Version: api.DefaultKarpenterV1beta1Version},
		{Component: "cert-manager", Chart: "cert-manager", Version: "v1.8.2"},
		{Component: "flink-operator", Chart: "flink-kubernetes-operator", Version: "1.7.0"},
	} {
		if _, err := r.Load(req); err != nil {
			t.Errorf("%s %s fixture: %v", req.Chart, req.Version, err)
		}
	}
	_, err := r.Load(Request{Component: "cert-manager", Chart: "cert-manager", Version: "v1.15.0"})
	if err == nil || !strings.Contains(err.Error(), "component cert-manager: chart built-in cert-manager version v1.15.0") ||
		!strings.Contains(err.Error(), "v1.8.2") {
		t.Errorf("unknown built-in version: %v", err)
	}
}

func TestLocalPaths(t *testing.T) {
	c := charttest.Fixture(t, "karpenter")
	tgz, data := charttest.Package(t, c)
	r := newResolver(t, Options{})
	l, err := r.Load(Request{Component: "karpenter", Chart: "karpenter", Version: "0.34.0", Source: &api.ChartSource{Path: tgz}})
	if err != nil {
		t.Fatal(err)
	}
	if l.Digest != Digest(data) || l.BuiltIn {
		t.Errorf("got %+v", l)
	}
	// Relative paths start at the platform file's folder.
	dir := filepath.Dir(tgz)
	if _, err := r.Load(Request{Component: "karpenter", Chart: "karpenter", Version: "0.34.0",
		Source: &api.ChartSource{Path: filepath.Base(tgz)}, BaseDir: dir}); err != nil {
		t.Errorf("relative path: %v", err)
	}
	_, err = r.Load(Request{Component: "karpenter", Chart: "karpenter", Version: "0.34.0",
		Source: &api.ChartSource{Path: tgz, Digest: "sha256:" + strings.Repeat("0", 64)}})
	if !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("digest pin: %v", err)
	}
	_, err = r.Load(Request{Component: "karpenter", Chart: "karpenter", Version: "0.34.0", Source: &api.ChartSource{Path: "/no/such/chart"}})
	if err == nil || !strings.Contains(err.Error(), "component karpenter: chart /no/such/chart version 0.34.0") {
		t.Errorf("missing path: %v", err)
	}
}

// TestHTTPRepositoryPullCacheOffline pulls from a repository once; a second
// run offline renders from the cache without a request.
func TestHTTPRepositoryPullCacheOffline(t *testing.T) {
	repoSrv := charttest.NewRepo(t, charttest.Fixture(t, "cert-manager"))
	cache := filepath.Join(t.TempDir(), "cache")
	req := Request{Component: "cert-manager", Chart: "cert-manager", Version: "v1.8.2", Source: &api.ChartSource{Repo: repoSrv.URL}}

	offline := newResolver(t, Options{CacheDir: cache})
	if _, err := offline.Load(req); !errors.Is(err, ErrOffline) {
		t.Fatalf("offline with an empty cache: %v", err)
	}
	if n := repoSrv.Requests.Load(); n != 0 {
		t.Fatalf("offline resolver made %d requests", n)
	}

	online := newResolver(t, Options{CacheDir: cache, Online: true})
	l, err := online.Load(req)
	if err != nil {
		t.Fatal(err)
	}
	if l.BuiltIn || l.Version() != "v1.8.2" || !strings.HasPrefix(l.Digest, "sha256:") {
		t.Errorf("got %+v", l)
	}
	before := repoSrv.Requests.Load()
	again := newResolver(t, Options{CacheDir: cache})
	l2, err := again.Load(req)
	if err != nil {
		t.Fatalf("offline from cache: %v", err)
	}
	if l2.Digest != l.Digest || repoSrv.Requests.Load() != before {
		t.Errorf("cache not used: digest %s vs %s, requests %d -> %d", l2.Digest, l.Digest, before, repoSrv.Requests.Load())
	}
	// A damaged cache is caught.
	p, _ := (&Cache{Dir: cache}).blobPath(l.Digest)
	if err := os.WriteFile(p, []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := newResolver(t, Options{CacheDir: cache}).Load(req); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("tampered cache: %v", err)
	}
	// A version the repository does not have names component, source and version.
	_, err = online.Load(Request{Component: "cert-manager", Chart: "cert-manager", Version: "v9.9.9", Source: &api.ChartSource{Repo: repoSrv.URL}})
	if err == nil || !strings.Contains(err.Error(), "component cert-manager: chart "+repoSrv.URL+" cert-manager version v9.9.9") {
		t.Errorf("missing version: %v", err)
	}
}

func TestHTTPRepositoryDigestMismatch(t *testing.T) {
	c := charttest.Fixture(t, "aws-for-fluent-bit")
	repoSrv := charttest.NewRepo(t, c)
	// The index promises one digest, the server now serves other bytes.
	other := charttest.WithVersion(c, "0.1.32")
	other.Metadata.Description = "changed"
	_, changed := charttest.Package(t, other)
	repoSrv.SetFile("aws-for-fluent-bit-0.1.32.tgz", changed)
	r := newResolver(t, Options{Online: true})
	_, err := r.Load(Request{Component: "fluent-bit", Chart: "aws-for-fluent-bit", Version: "0.1.32", Source: &api.ChartSource{Repo: repoSrv.URL}})
	if !errors.Is(err, ErrDigestMismatch) || !strings.Contains(err.Error(), "repository index") {
		t.Errorf("index digest: %v", err)
	}
}

// TestLockVendoredAndMismatch vendors a chart with a lock, renders from the
// vendored folder offline, and fails when the vendored file, the cache or
// the repository no longer match the lock.
func TestLockVendoredAndMismatch(t *testing.T) {
	c := charttest.Fixture(t, "karpenter")
	repoSrv := charttest.NewRepo(t, c)
	src := &api.ChartSource{Repo: repoSrv.URL}
	req := Request{Component: "karpenter", Chart: "karpenter", Version: "0.34.0", Source: src}
	cache := filepath.Join(t.TempDir(), "cache")
	p, err := newResolver(t, Options{CacheDir: cache}).Pull(req)
	if err != nil {
		t.Fatal(err)
	}
	if p.Source != repoSrv.URL || p.Chart != "karpenter" || p.ChartVersion != "0.34.0" {
		t.Errorf("pulled %+v", p)
	}
	dir := t.TempDir()
	lock := &Lock{Charts: []LockedChart{{Component: "karpenter", Source: p.Source, Chart: p.Chart, Version: "0.34.0",
		ChartVersion: p.ChartVersion, Digest: p.Digest, File: "karpenter-0.34.0.tgz"}}}
	writeLock(t, dir, lock)
	if err := os.WriteFile(filepath.Join(dir, "karpenter-0.34.0.tgz"), p.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "empty-cache")
	before := repoSrv.Requests.Load()
	l, err := newResolver(t, Options{ChartsDir: dir, CacheDir: fresh}).Load(req)
	if err != nil || l.Digest != p.Digest || repoSrv.Requests.Load() != before {
		t.Fatalf("vendored: %v %+v", err, l)
	}
	// Not in the lock.
	_, err = newResolver(t, Options{ChartsDir: dir, CacheDir: fresh}).Load(Request{Component: "karpenter", Chart: "karpenter", Version: "0.35.0", Source: src})
	if err == nil || !strings.Contains(err.Error(), "not in") {
		t.Errorf("unlocked version: %v", err)
	}
	// The vendored file changed.
	if err := os.WriteFile(filepath.Join(dir, "karpenter-0.34.0.tgz"), append(p.Data, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := newResolver(t, Options{ChartsDir: dir, CacheDir: fresh}).Load(req); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("vendored mismatch: %v", err)
	}
	// Vendored file gone: the cache serves it, checked against the lock.
	os.Remove(filepath.Join(dir, "karpenter-0.34.0.tgz"))
	if _, err := newResolver(t, Options{ChartsDir: dir, CacheDir: cache}).Load(req); err != nil {
		t.Errorf("from cache under lock: %v", err)
	}
	// Neither vendored nor cached, online: the repository now serves other
	// bytes (and its index no longer vouches for them).
	other := charttest.WithVersion(c, "0.34.0")
	other.Metadata.Description = "republished"
	_, changed := charttest.Package(t, other)
	repoSrv.SetFile("karpenter-0.34.0.tgz", changed)
	repoSrv.ClearIndexDigests()
	_, err = newResolver(t, Options{ChartsDir: dir, CacheDir: fresh, Online: true}).Load(req)
	if !errors.Is(err, ErrDigestMismatch) || !strings.Contains(err.Error(), LockFile) {
		t.Errorf("repository mismatch: %v", err)
	}
}

func writeLock(t *testing.T, dir string, l *Lock) {
	t.Helper()
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, LockFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := ReadLock(filepath.Join(dir, LockFile))
	if err != nil || len(back.Charts) != len(l.Charts) {
		t.Fatalf("lock round trip: %v", err)
	}
}

// TestOCIRegistry pulls from an in-process registry, caches, and reads the
// cache offline; a lock with another digest fails.
func TestOCIRegistry(t *testing.T) {
	reg := charttest.NewRegistry(t)
	c := charttest.Fixture(t, "karpenter")
	data := reg.Push(t, c, nil)
	// Karpenter tagged its charts v0.x before 0.35: a pin of 0.34.0 finds v0.34.0.
	reg.Push(t, charttest.WithVersion(c, "v0.33.0"), nil)
	cache := filepath.Join(t.TempDir(), "cache")
	src := &api.ChartSource{Repo: reg.Ref("karpenter"), PlainHTTP: true}
	req := Request{Component: "karpenter", Chart: "karpenter", Version: "0.34.0", Source: src}

	if _, err := newResolver(t, Options{CacheDir: cache}).Load(req); !errors.Is(err, ErrOffline) {
		t.Fatalf("offline: %v", err)
	}
	l, err := newResolver(t, Options{CacheDir: cache, Online: true}).Load(req)
	if err != nil {
		t.Fatal(err)
	}
	if l.Digest != Digest(data) || l.Version() != "0.34.0" {
		t.Errorf("got %+v", l)
	}
	before := reg.Requests.Load()
	if _, err := newResolver(t, Options{CacheDir: cache}).Load(req); err != nil || reg.Requests.Load() != before {
		t.Errorf("offline from cache: %v, %d requests", err, reg.Requests.Load()-before)
	}
	vreq := Request{Component: "karpenter", Chart: "karpenter", Version: "0.33.0", Source: src}
	if l, err := newResolver(t, Options{CacheDir: cache, Online: true}).Load(vreq); err != nil || l.Version() != "v0.33.0" {
		t.Errorf("v-prefixed tag: %v", err)
	}

	dir := t.TempDir()
	writeLock(t, dir, &Lock{Charts: []LockedChart{{Component: "karpenter", Source: reg.Ref("karpenter"), Chart: "karpenter",
		Version: "0.34.0", ChartVersion: "0.34.0", Digest: "sha256:" + strings.Repeat("a", 64), File: "karpenter-0.34.0.tgz"}}})
	_, err = newResolver(t, Options{ChartsDir: dir, Online: true}).Load(req)
	if !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("lock mismatch: %v", err)
	}
	_, err = newResolver(t, Options{Online: true}).Load(Request{Component: "karpenter", Chart: "karpenter", Version: "9.9.9", Source: src})
	if err == nil || !strings.Contains(err.Error(), "component karpenter: chart "+reg.Ref("karpenter")+" version 9.9.9") {
		t.Errorf("missing tag: %v", err)
	}
}

// TestCredentials reads HTTP credentials from Helm's repositories.yaml and
// never repeats them in errors, the cache or the lock.
func TestCredentials(t *testing.T) {
	const user, password = "ci-bot", "s3cr3t-Pa55"
	repoSrv := charttest.NewRepo(t, charttest.Fixture(t, "flink-kubernetes-operator"))
	repoSrv.RequireBasicAuth(user, password)
	req := Request{Component: "flink-operator", Chart: "flink-kubernetes-operator", Version: "1.7.0", Source: &api.ChartSource{Repo: repoSrv.URL + "/"}}

	_, err := newResolver(t, Options{Online: true}).Load(req)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("without credentials: %v", err)
	}
	cfg := filepath.Join(t.TempDir(), "repositories.yaml")
	if err := os.WriteFile(cfg, []byte(`apiVersion: ""
generated: "2024-01-01T00:00:00Z"
repositories:
- name: private
  url: `+repoSrv.URL+`
  username: `+user+`
  password: `+password+`
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "cache")
	r := newResolver(t, Options{Online: true, RepositoryConfig: cfg, CacheDir: cache})
	p, err := r.Pull(req)
	if err != nil {
		t.Fatal(err)
	}
	lock := &Lock{Charts: []LockedChart{{Component: "flink-operator", Source: p.Source, Chart: p.Chart, Version: p.Version, Digest: p.Digest, File: "x.tgz"}}}
	data, _ := lock.Marshal()
	assertNoSecret(t, string(data), password)
	filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			b, _ := os.ReadFile(p)
			assertNoSecret(t, string(b), password)
		}
		return nil
	})
	// Credentials in the URL itself are used, and redacted everywhere.
	withUserinfo := strings.Replace(repoSrv.URL, "http://", "http://"+user+":"+password+"@", 1)
	r2 := newResolver(t, Options{Online: true})
	l, err := r2.Load(Request{Component: "flink-operator", Chart: "flink-kubernetes-operator", Version: "1.7.0", Source: &api.ChartSource{Repo: withUserinfo}})
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, l.Source, password)
	_, err = r2.Load(Request{Component: "flink-operator", Chart: "flink-kubernetes-operator", Version: "0.0.1", Source: &api.ChartSource{Repo: withUserinfo}})
	if err == nil {
		t.Fatal("missing version loaded")
	}
	assertNoSecret(t, err.Error(), password)
	assertNoSecret(t, err.Error(), user+":")
}

func assertNoSecret(t *testing.T, s, secret string) {
	t.Helper()
	if strings.Contains(s, secret) {
		t.Errorf("secret %q leaked into %q", secret, s)
	}
}

// TestProvenance verifies signed charts from a repository and a registry.
func TestProvenance(t *testing.T) {
	signer := charttest.NewSigner(t, "platform-team")
	stranger := charttest.NewSigner(t, "stranger")
	c := charttest.Fixture(t, "cert-manager")
	tgz, _ := charttest.Package(t, c)
	prov := signer.Sign(t, tgz)

	repoSrv := charttest.NewRepo(t, c)
	repoSrv.SetFile("cert-manager-v1.8.2.tgz", mustRead(t, tgz))
	repoSrv.SetFile("cert-manager-v1.8.2.tgz.prov", prov)
	repoSrv.ClearIndexDigests()
	reg := charttest.NewRegistry(t)
	reg.PushData(t, "cert-manager", "v1.8.2", mustRead(t, tgz), prov)

	for name, src := range map[string]api.ChartSource{
		"http": {Repo: repoSrv.URL},
		"oci":  {Repo: reg.Ref("cert-manager"), PlainHTTP: true},
		"path": {Path: tgz},
	} {
		t.Run(name, func(t *testing.T) {
			if name == "path" {
				if err := os.WriteFile(tgz+".prov", prov, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ok := src
			ok.Verify, ok.Keyring = true, signer.Keyring
			if _, err := newResolver(t, Options{Online: true}).Load(Request{Component: "cert-manager", Chart: "cert-manager", Version: "v1.8.2", Source: &ok}); err != nil {
				t.Errorf("trusted signer: %v", err)
			}
			bad := src
			bad.Verify, bad.Keyring = true, stranger.Keyring
			if _, err := newResolver(t, Options{Online: true}).Load(Request{Component: "cert-manager", Chart: "cert-manager", Version: "v1.8.2", Source: &bad}); err == nil {
				t.Error("chart signed by another key accepted")
			}
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestOverrides(t *testing.T) {
	tgz, _ := charttest.Package(t, charttest.Fixture(t, "karpenter-v1"))
	r := newResolver(t, Options{Overrides: map[string]api.ChartSource{"karpenter": {Path: tgz}}})
	l, err := r.Load(Request{Component: "karpenter", Chart: "karpenter", Version: "0.34.0", BaseDir: "/elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	if !l.Override || l.Version() != "1.14.1" || l.Pinned != "0.34.0" {
		t.Errorf("got %+v", l)
	}
}

func TestManifest(t *testing.T) {
	dir := t.TempDir()
	data := []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: cert-manager\n")
	if err := os.WriteFile(filepath.Join(dir, "cert-manager.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := newResolver(t, Options{})
	m, err := r.LoadManifest("cert-manager", "cert-manager.yaml", dir)
	if err != nil || string(m.Data) != string(data) {
		t.Fatalf("local manifest: %v", err)
	}
	repoSrv := charttest.NewRepo(t)
	repoSrv.SetFile("cert-manager.yaml", data)
	url := repoSrv.URL + "/cert-manager.yaml"
	cache := filepath.Join(t.TempDir(), "cache")
	if _, err := newResolver(t, Options{CacheDir: cache}).LoadManifest("cert-manager", url, ""); !errors.Is(err, ErrOffline) {
		t.Errorf("offline: %v", err)
	}
	if _, err := newResolver(t, Options{CacheDir: cache, Online: true}).LoadManifest("cert-manager", url, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := newResolver(t, Options{CacheDir: cache}).LoadManifest("cert-manager", url, ""); err != nil {
		t.Errorf("from cache: %v", err)
	}
}

// TestDecodeCRDsCopies checks that every caller gets the decoded CRDs as
// its own copy: changing one environment's objects leaves the next one's
// as the file says.
func TestDecodeCRDsCopies(t *testing.T) {
	l := &Loaded{}
	const crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: xs.example.com\nspec:\n  group: example.com\n"
	first, err := l.DecodeCRDs(crd).Objects("c")
	if err != nil || len(first) != 1 {
		t.Fatalf("got %d objects, %v", len(first), err)
	}
	first[0].SetLabels(map[string]string{"env": "dev"})
	first[0].Object["spec"].(map[string]any)["group"] = "changed"
	second, err := l.DecodeCRDs(crd).Objects("c")
	if err != nil || len(second) != 1 {
		t.Fatalf("got %d objects, %v", len(second), err)
	}
	if second[0].GetLabels() != nil || second[0].Object["spec"].(map[string]any)["group"] != "example.com" {
		t.Errorf("second decode sees the first caller's changes: %v", second[0].Object)
	}
	if _, err := l.DecodeCRDs("a: [").Objects("c"); err == nil {
		t.Error("a file that is not YAML: no error")
	}
	if _, err := l.DecodeCRDs("a: [").Objects("c"); err == nil {
		t.Error("a file that is not YAML, decoded again: no error")
	}
}
