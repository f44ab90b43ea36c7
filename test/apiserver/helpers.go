package apiserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/krm-flink/krm-flink/internal/testutil"
)

// CRD sets under shared/crds (beside the repository) the tests can install.
const (
	CertManager182   = "cert-manager-v1.8.2"
	FlinkOperator170 = "flink-kubernetes-operator-1.7.0"
	FlinkOperator115 = "flink-kubernetes-operator-1.15.0"
	Karpenter034     = "karpenter-v0.34.0"
	Karpenter114     = "karpenter-v1.14.1"
)

// DefaultCRDSets is the reference platform: cert-manager 1.8.2, operator 1.7.0, Karpenter 0.34.0.
var DefaultCRDSets = []string{CertManager182, FlinkOperator170, Karpenter034}

// CRDsEnv overrides the folder that holds the CRD sets (default: <repo>/../shared/crds).
const CRDsEnv = "KRM_FLINK_CRDS_DIR"

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
var nsGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

// CRDDirs resolves CRD set names (e.g. Karpenter034) to folders under
// $KRM_FLINK_CRDS_DIR or <repo>/../shared/crds; a missing folder is fatal.
func CRDDirs(t testing.TB, sets ...string) []string {
	t.Helper()
	base := os.Getenv(CRDsEnv)
	if base == "" {
		root, err := RepoRoot()
		if err != nil {
			t.Fatalf("%v", err)
		}
		base = filepath.Join(root, "..", "shared", "crds")
	}
	var dirs []string
	for _, s := range sets {
		d := filepath.Join(base, s)
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			t.Fatalf("CRD set %s not found at %s (set %s)", s, d, CRDsEnv)
		}
		dirs = append(dirs, d)
	}
	return dirs
}

// Client is a dynamic client plus a discovery RESTMapper for one API server.
type Client struct {
	Config    *rest.Config
	Dynamic   dynamic.Interface
	Discovery discovery.DiscoveryInterface
	Mapper    *restmapper.DeferredDiscoveryRESTMapper
}

// NewClient builds a Client for cfg.
func NewClient(cfg *rest.Config) (*Client, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return &Client{
		Config:    cfg,
		Dynamic:   dyn,
		Discovery: dc,
		Mapper:    restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)),
	}, nil
}

// ObjectError is one object the server rejected (or that could not be sent).
type ObjectError struct {
	APIVersion, Kind, Namespace, Name string
	Err                               error
}

// ID names the object as "apiVersion Kind namespace/name".
func (e ObjectError) ID() string {
	n := e.Name
	if e.Namespace != "" {
		n = e.Namespace + "/" + n
	}
	return fmt.Sprintf("%s %s %s", e.APIVersion, e.Kind, n)
}

func (e ObjectError) Error() string { return e.ID() + ": " + e.Err.Error() }

// ObjectErrors lists every rejected object; nil or empty means all were accepted.
type ObjectErrors []ObjectError

func (es ObjectErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d object(s) rejected:", len(es))
	for _, e := range es {
		b.WriteString("\n  - ")
		b.WriteString(e.Error())
	}
	return b.String()
}

func objectError(o *unstructured.Unstructured, err error) ObjectError {
	return ObjectError{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName(), Err: err}
}

// ReadObjects decodes every YAML/JSON document of the .yaml/.yml/.json files
// of dir (not recursive), in file name order.
func ReadObjects(dir string) ([]*unstructured.Unstructured, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var objs []*unstructured.Unstructured
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".yaml" && ext != ".yml" && ext != ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		o, err := DecodeObjects(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, e.Name()), err)
		}
		objs = append(objs, o...)
	}
	return objs, nil
}

// DecodeObjects decodes a multi-document YAML (or JSON) stream; empty documents are skipped.
func DecodeObjects(data []byte) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []*unstructured.Unstructured
	for {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return objs, nil
			}
			return nil, err
		}
		m, err := jsonObject(raw)
		if err != nil {
			return nil, err
		}
		if len(m) == 0 {
			continue
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
}

// jsonObject decodes a JSON object with integers as int64 (as the
// unstructured helpers expect), not float64.
func jsonObject(data []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(data)) == 0 || bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil, nil
	}
	var m map[string]any
	if err := utiljson.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func isCRD(o *unstructured.Unstructured) bool {
	return o.GetKind() == "CustomResourceDefinition" && o.GroupVersionKind().Group == "apiextensions.k8s.io"
}

func isNamespace(o *unstructured.Unstructured) bool {
	return o.GetKind() == "Namespace" && o.GetAPIVersion() == "v1"
}

// CRDsFromDirs reads the CustomResourceDefinitions in dirs; any other kind is an error.
func CRDsFromDirs(dirs ...string) ([]*unstructured.Unstructured, error) {
	var crds []*unstructured.Unstructured
	for _, d := range dirs {
		objs, err := ReadObjects(d)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			if !isCRD(o) {
				return nil, fmt.Errorf("%s: %s %s is not a CustomResourceDefinition", d, o.GetKind(), o.GetName())
			}
			crds = append(crds, o)
		}
	}
	return crds, nil
}

// InstallCRDs creates (for real) the CRDs found in dirs and waits until they are served.
func (c *Client) InstallCRDs(ctx context.Context, dirs ...string) error {
	crds, err := CRDsFromDirs(dirs...)
	if err != nil {
		return err
	}
	if errs := c.CreateCRDs(ctx, crds); len(errs) > 0 {
		return errs
	}
	return nil
}

// CreateCRDs creates each CRD for real (updating it when one of that name
// exists), waits until all are Established and their kinds are discoverable,
// and resets the REST mapper. It returns every CRD that failed.
func (c *Client) CreateCRDs(ctx context.Context, crds []*unstructured.Unstructured) ObjectErrors {
	var errs ObjectErrors
	var created []*unstructured.Unstructured
	ri := c.Dynamic.Resource(crdGVR)
	for _, crd := range crds {
		obj := crd.DeepCopy()
		obj.SetResourceVersion("")
		_, err := ri.Create(ctx, obj, metav1.CreateOptions{FieldValidation: "Strict"})
		if apierrors.IsAlreadyExists(err) {
			var cur *unstructured.Unstructured
			if cur, err = ri.Get(ctx, obj.GetName(), metav1.GetOptions{}); err == nil {
				obj.SetResourceVersion(cur.GetResourceVersion())
				_, err = ri.Update(ctx, obj, metav1.UpdateOptions{FieldValidation: "Strict"})
			}
		}
		if err != nil {
			errs = append(errs, objectError(crd, err))
			continue
		}
		created = append(created, crd)
	}
	for _, crd := range created {
		if err := c.waitCRDServed(ctx, crd); err != nil {
			errs = append(errs, objectError(crd, err))
		}
	}
	c.Mapper.Reset()
	return errs
}

// waitCRDServed waits for Established=True and for discovery to list the
// CRD's kind in every served version.
func (c *Client) waitCRDServed(ctx context.Context, crd *unstructured.Unstructured) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
	plural, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "plural")
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	var last string
	for {
		cur, err := c.Dynamic.Resource(crdGVR).Get(ctx, crd.GetName(), metav1.GetOptions{})
		if err != nil {
			last = err.Error()
		} else if ok, msg := crdEstablished(cur); !ok {
			last = msg
		} else {
			missing := ""
			for _, v := range versions {
				vm, _ := v.(map[string]any)
				name, _ := vm["name"].(string)
				if served, _ := vm["served"].(bool); !served {
					continue
				}
				rl, err := c.Discovery.ServerResourcesForGroupVersion(group + "/" + name)
				if err != nil || !hasResource(rl, plural) {
					missing = group + "/" + name
					break
				}
			}
			if missing == "" {
				return nil
			}
			last = "not yet in discovery: " + missing
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("CRD not served: %s", last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func crdEstablished(crd *unstructured.Unstructured) (bool, string) {
	conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	msg := "no Established condition yet"
	for _, c := range conds {
		cm, _ := c.(map[string]any)
		switch cm["type"] {
		case "Established":
			if cm["status"] == "True" {
				return true, ""
			}
			msg = fmt.Sprintf("Established=%v: %v", cm["status"], cm["message"])
		case "NamesAccepted":
			if cm["status"] == "False" {
				return false, fmt.Sprintf("NamesAccepted=False: %v", cm["message"])
			}
		}
	}
	return false, msg
}

func hasResource(rl *metav1.APIResourceList, plural string) bool {
	for _, r := range rl.APIResources {
		if r.Name == plural {
			return true
		}
	}
	return false
}

// CreateNamespaces creates namespaces for real; existing ones are fine.
func (c *Client) CreateNamespaces(ctx context.Context, names ...string) error {
	for _, n := range names {
		ns := &unstructured.Unstructured{}
		ns.SetAPIVersion("v1")
		ns.SetKind("Namespace")
		ns.SetName(n)
		if err := c.ApplyNamespace(ctx, ns); err != nil {
			return err
		}
	}
	return nil
}

// ApplyNamespace creates a Namespace object for real. When it exists already
// (a server shared between tests) the object is checked with a dry-run update.
func (c *Client) ApplyNamespace(ctx context.Context, ns *unstructured.Unstructured) error {
	ri := c.Dynamic.Resource(nsGVR)
	obj := ns.DeepCopy()
	obj.SetResourceVersion("")
	_, err := ri.Create(ctx, obj, metav1.CreateOptions{FieldValidation: "Strict"})
	if apierrors.IsAlreadyExists(err) {
		var cur *unstructured.Unstructured
		if cur, err = ri.Get(ctx, obj.GetName(), metav1.GetOptions{}); err == nil {
			obj.SetResourceVersion(cur.GetResourceVersion())
			_, err = ri.Update(ctx, obj, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"})
		}
	}
	return err
}

// mapping finds the REST mapping of gvk, refreshing discovery once on a miss.
func (c *Client) mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, error) {
	m, err := c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		c.Mapper.Reset()
		m, err = c.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if meta.IsNoMatchError(err) {
		return nil, fmt.Errorf("the server does not serve %s (is its CRD installed?)", gvk)
	}
	return m, err
}

// DryRunCreate sends every object to the server as a create with
// dryRun=All and fieldValidation=Strict, and returns ALL rejections (kind,
// namespace, name and the server's message) instead of stopping at the first.
// Namespaced objects without a namespace go to "default". The objects are not
// modified.
func (c *Client) DryRunCreate(ctx context.Context, objs []*unstructured.Unstructured) ObjectErrors {
	var errs ObjectErrors
	for _, o := range objs {
		if o.GetKind() == "" || o.GetAPIVersion() == "" {
			errs = append(errs, objectError(o, errors.New("object has no apiVersion or kind")))
			continue
		}
		m, err := c.mapping(o.GroupVersionKind())
		if err != nil {
			errs = append(errs, objectError(o, err))
			continue
		}
		obj := o.DeepCopy()
		var ri dynamic.ResourceInterface
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			if obj.GetNamespace() == "" {
				obj.SetNamespace(metav1.NamespaceDefault)
			}
			ri = c.Dynamic.Resource(m.Resource).Namespace(obj.GetNamespace())
		} else {
			ri = c.Dynamic.Resource(m.Resource)
		}
		if _, err := ri.Create(ctx, obj, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict"}); err != nil {
			errs = append(errs, objectError(o, err))
		}
	}
	return errs
}

// shared servers, one per distinct CRD set, for the whole test binary.
var (
	sharedMu      sync.Mutex
	sharedServers = map[string]*sharedServer{}
)

type sharedServer struct {
	once sync.Once
	srv  *Server
	err  error
}

// SharedServer returns a server with the CRDs of crdDirs and the extra CRDs
// (which replace those of the same name) installed, started on first use and
// reused by every test asking for the same CRD set. Servers are keyed by the
// CRDs' names and specs: Karpenter v0.34 and v1 (or operator 1.7 and 1.15)
// define the same CRD names, so each set gets its own server rather than
// having CRDs replaced under other tests. Tests must therefore not change the
// CRDs of a shared server; objects they create for real are Namespaces only. Stop them with StopSharedServers in
// TestMain. A failure is fatal (skipped under -short), and is reported again
// to every later test asking for the same set.
func SharedServer(t testing.TB, crdDirs []string, extraCRDs []*unstructured.Unstructured) *Server {
	t.Helper()
	crds, err := CRDsFromDirs(crdDirs...)
	if err != nil {
		t.Fatalf("reading CRDs: %v", err)
	}
	crds = mergeCRDs(crds, extraCRDs)
	key, err := crdKey(crds)
	if err != nil {
		t.Fatalf("%v", err)
	}
	sharedMu.Lock()
	s, ok := sharedServers[key]
	if !ok {
		s = &sharedServer{}
		sharedServers[key] = s
	}
	sharedMu.Unlock()
	s.once.Do(func() {
		start := time.Now()
		s.srv, s.err = StartServer("")
		if s.err != nil {
			return
		}
		t.Logf("API server %s started in %s", s.srv.URL, time.Since(start).Round(time.Millisecond))
		start = time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		if errs := s.srv.CreateCRDs(ctx, crds); len(errs) > 0 {
			s.err = fmt.Errorf("installing CRDs: %w", errs)
			return
		}
		t.Logf("installed %d CRDs in %s", len(crds), time.Since(start).Round(time.Millisecond))
	})
	if s.err != nil {
		if testutil.Short() {
			t.Skipf("-short: no API server: %v", s.err)
		}
		t.Fatalf("API server with CRDs of %v: %v", crdDirs, s.err)
	}
	return s.srv
}

// StopSharedServers stops every server SharedServer started. Call it from TestMain.
func StopSharedServers() {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	for k, s := range sharedServers {
		if s.srv != nil {
			s.srv.Stop()
		}
		delete(sharedServers, k)
	}
}

// mergeCRDs returns base with the CRDs of extra replacing those of the same name.
func mergeCRDs(base, extra []*unstructured.Unstructured) []*unstructured.Unstructured {
	names := map[string]bool{}
	for _, c := range extra {
		names[c.GetName()] = true
	}
	var out []*unstructured.Unstructured
	for _, c := range base {
		if !names[c.GetName()] {
			out = append(out, c)
		}
	}
	return append(out, extra...)
}

// crdKey identifies a CRD set by each CRD's name and spec (labels and
// annotations, e.g. an env label an overlay adds, do not change what is served).
func crdKey(crds []*unstructured.Unstructured) (string, error) {
	var parts []string
	for _, c := range crds {
		data, err := json.Marshal(c.Object["spec"]) // map keys are sorted: stable
		if err != nil {
			return "", err
		}
		sum := sha256.Sum256(data)
		parts = append(parts, c.GetName()+"="+hex.EncodeToString(sum[:]))
	}
	sort.Strings(parts)
	sum := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(sum[:]), nil
}

// ValidateObjects proves a real API server accepts objs: it uses a server
// with the CRDs of crdDirs installed (shared per CRD set), creates the
// CustomResourceDefinitions among objs for real (they are installed with the
// server), creates each Namespace among objs for real, then dry-run-creates
// every other object with strict field validation. Every rejected object is
// reported with t.Errorf in one message; objs must not be empty.
func ValidateObjects(t testing.TB, crdDirs []string, objs []*unstructured.Unstructured) {
	t.Helper()
	if len(objs) == 0 {
		t.Fatalf("no objects to validate (an empty render is a failure)")
	}
	var crds, namespaces, rest []*unstructured.Unstructured
	for _, o := range objs {
		switch {
		case isCRD(o):
			crds = append(crds, o)
		case isNamespace(o):
			namespaces = append(namespaces, o)
		default:
			rest = append(rest, o)
		}
	}
	// An overlay CRD that stands in for a real upstream one (a fixture chart's)
	// must not replace it: custom resources are checked against the real
	// schema. The stand-in is still created for real, on a server of its own,
	// so a malformed CRD fails too.
	real, err := CRDsFromDirs(crdDirs...)
	if err != nil {
		t.Fatalf("reading CRDs: %v", err)
	}
	realNames := map[string]bool{}
	for _, c := range real {
		realNames[c.GetName()] = true
	}
	var own, standIns []*unstructured.Unstructured
	for _, c := range crds {
		if realNames[c.GetName()] {
			standIns = append(standIns, c)
		} else {
			own = append(own, c)
		}
	}
	if len(standIns) > 0 {
		SharedServer(t, nil, standIns)
	}
	crds = own
	srv := SharedServer(t, crdDirs, crds)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// The server may have been started for another test with CRDs of the same
	// specs: create-or-update this overlay's own CRD objects for real.
	errs := srv.CreateCRDs(ctx, crds)
	for _, ns := range namespaces {
		if err := srv.ApplyNamespace(ctx, ns); err != nil {
			errs = append(errs, objectError(ns, err))
		}
	}
	errs = append(errs, srv.DryRunCreate(ctx, rest)...)
	if len(errs) > 0 {
		t.Errorf("the API server rejected %d of %d objects:%s", len(errs), len(objs), strings.TrimPrefix(errs.Error(), fmt.Sprintf("%d object(s) rejected:", len(errs))))
		return
	}
	t.Logf("the API server accepted all %d objects (%d CRDs, %d namespaces created; %d dry-run)", len(objs), len(crds), len(namespaces), len(rest))
}
