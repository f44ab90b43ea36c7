// Package charttest serves Helm charts to tests without a network: it
// packages charts (the built-in fixtures or variants of them), runs an HTTP
// chart repository (index.yaml) and an OCI registry (go-containerregistry's
// registry) on 127.0.0.1, and signs charts with a throw-away OpenPGP key.
package charttest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/provenance"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/krm-flink/krm-flink/catalog"
	"github.com/krm-flink/krm-flink/internal/chart"
)

// Fixture loads a built-in fixture chart by folder name (e.g. "karpenter"),
// a fresh copy each call so tests may change it.
func Fixture(t testing.TB, dir string) *helmchart.Chart {
	t.Helper()
	c, err := chart.LoadFS(catalog.Charts, "charts/"+dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// WithVersion returns c with another version (and appVersion).
func WithVersion(c *helmchart.Chart, version string) *helmchart.Chart {
	meta := *c.Metadata
	meta.Version = version
	meta.AppVersion = strings.TrimPrefix(version, "v")
	out := *c
	out.Metadata = &meta
	return &out
}

// Package writes c as <name>-<version>.tgz into a temporary folder and
// returns its path and content.
func Package(t testing.TB, c *helmchart.Chart) (string, []byte) {
	t.Helper()
	p, err := chartutil.Save(c, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, data
}

// Repo is an HTTP chart repository on 127.0.0.1.
type Repo struct {
	URL string
	// Requests counts every request the repository answered.
	Requests atomic.Int64

	mu       sync.Mutex
	files    map[string][]byte
	index    *repo.IndexFile
	user     string
	password string
}

// NewRepo starts a chart repository serving charts; it stops with the test.
func NewRepo(t testing.TB, charts ...*helmchart.Chart) *Repo {
	t.Helper()
	r := &Repo{files: map[string][]byte{}, index: repo.NewIndexFile()}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	for _, c := range charts {
		r.Add(t, c)
	}
	return r
}

// RequireBasicAuth makes the repository answer 401 without these credentials.
func (r *Repo) RequireBasicAuth(user, password string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.user, r.password = user, password
}

// Add packages c and lists it in the index, with its digest.
func (r *Repo) Add(t testing.TB, c *helmchart.Chart) []byte {
	t.Helper()
	_, data := Package(t, c)
	name := fmt.Sprintf("%s-%s.tgz", c.Metadata.Name, c.Metadata.Version)
	sum := sha256.Sum256(data)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files[name] = data
	if err := r.index.MustAdd(c.Metadata, name, "", hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	r.index.SortEntries()
	return data
}

// SetFile replaces a served file (a chart's .tgz or .prov) as is: a way to
// serve content that no longer matches a digest.
func (r *Repo) SetFile(name string, data []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files[name] = data
}

// ClearIndexDigests drops the digests from the index, as some repositories
// do, so only krm-flink's own checks catch changed content.
func (r *Repo) ClearIndexDigests() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, vs := range r.index.Entries {
		for _, v := range vs {
			v.Digest = ""
		}
	}
}

func (r *Repo) serve(w http.ResponseWriter, req *http.Request) {
	r.Requests.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.user != "" {
		u, p, ok := req.BasicAuth()
		if !ok || u != r.user || p != r.password {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	name := strings.TrimPrefix(req.URL.Path, "/")
	if name == "index.yaml" {
		r.index.Generated = time.Unix(0, 0).UTC()
		data, err := sigsyaml.Marshal(r.index)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(data)
		return
	}
	data, ok := r.files[name]
	if !ok {
		http.NotFound(w, req)
		return
	}
	w.Write(data)
}

// Registry is an OCI registry on 127.0.0.1, spoken to over plain HTTP.
type Registry struct {
	// Host is host:port; charts live at oci://<Host>/charts/<name>.
	Host string
	// Requests counts every request the registry answered.
	Requests atomic.Int64
	client   *registry.Client
}

// NewRegistry starts an in-memory OCI registry; it stops with the test.
func NewRegistry(t testing.TB) *Registry {
	t.Helper()
	r := &Registry{}
	h := ggcrregistry.New(ggcrregistry.Logger(nullLogger()))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.Requests.Add(1)
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.Host = strings.TrimPrefix(srv.URL, "http://")
	client, err := registry.NewClient(registry.ClientOptPlainHTTP(), registry.ClientOptWriter(&bytes.Buffer{}),
		registry.ClientOptCredentialsFile(filepath.Join(t.TempDir(), "config.json")))
	if err != nil {
		t.Fatal(err)
	}
	r.client = client
	return r
}

// Ref is the oci:// reference of a chart in the registry.
func (r *Registry) Ref(name string) string { return "oci://" + r.Host + "/charts/" + name }

// Push packages c and pushes it (with prov, if given) tagged with its version.
func (r *Registry) Push(t testing.TB, c *helmchart.Chart, prov []byte) []byte {
	t.Helper()
	_, data := Package(t, c)
	r.PushData(t, c.Metadata.Name, c.Metadata.Version, data, prov)
	return data
}

// PushData pushes a packaged chart as is.
func (r *Registry) PushData(t testing.TB, name, version string, data, prov []byte) {
	t.Helper()
	opts := []registry.PushOption{registry.PushOptStrictMode(false), registry.PushOptCreationTime("2024-01-01T00:00:00Z")}
	if prov != nil {
		opts = append(opts, registry.PushOptProvData(prov))
	}
	ref := fmt.Sprintf("%s/charts/%s:%s", r.Host, name, strings.ReplaceAll(version, "+", "_"))
	if _, err := r.client.Push(data, ref, opts...); err != nil {
		t.Fatal(err)
	}
}

// Signer signs charts with a throw-away OpenPGP key.
type Signer struct {
	// Keyring is a file holding the public key, for verification.
	Keyring string
	entity  *openpgp.Entity
}

// NewSigner makes a key and writes its public keyring.
func NewSigner(t testing.TB, name string) *Signer {
	t.Helper()
	e, err := openpgp.NewEntity(name, "krm-flink test", name+"@example.com", &packet.Config{RSABits: 2048})
	if err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	if err := e.Serialize(&pub); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), name+".gpg")
	if err := os.WriteFile(p, pub.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return &Signer{Keyring: p, entity: e}
}

// Sign returns the provenance file of a packaged chart at chartPath.
func (s *Signer) Sign(t testing.TB, chartPath string) []byte {
	t.Helper()
	sig := &provenance.Signatory{Entity: s.entity, KeyRing: openpgp.EntityList{s.entity}}
	prov, err := sig.ClearSign(chartPath)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(prov)
}

func nullLogger() *log.Logger { return log.New(io.Discard, "", 0) }
