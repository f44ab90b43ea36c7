package apiserver

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// One API server per distinct CRD set is started on first use and shared by
// all tests of the package; TestMain stops them.
func TestMain(m *testing.M) {
	code := m.Run()
	StopSharedServers()
	os.Exit(code)
}

// TestRenderedOverlays builds every committed overlays/<env>/ exactly as Argo
// CD and Flux do and proves the API server accepts every object, against the
// CRDs of the reference platform (cert-manager 1.8.2, Karpenter 0.34.0) and
// of the Flink operator release examples/platform pins for that environment
// after its overrides (prod 1.7.0; staging stages 1.15.0 and its
// FlinkStateSnapshot).
func TestRenderedOverlays(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	sets, err := EnvironmentCRDSets(filepath.Join(root, "examples", "platform", "platform.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := FindOverlays(filepath.Join(root, "overlays"))
	if err != nil {
		t.Fatalf("listing overlays: %v", err)
	}
	var envs []string
	for _, dir := range dirs {
		envs = append(envs, filepath.Base(dir))
	}
	if want := sortedKeys(sets); strings.Join(envs, ",") != strings.Join(want, ",") {
		t.Fatalf("overlays/ holds %v, examples/platform has environments %v; run make render", envs, want)
	}
	for _, dir := range dirs {
		env := filepath.Base(dir)
		t.Run(env, func(t *testing.T) {
			objs, err := BuildOverlay(dir)
			if err != nil {
				t.Fatalf("%v", err)
			}
			t.Logf("CRD sets %v", sets[env])
			ValidateObjects(t, CRDDirs(t, sets[env]...), objs)
		})
	}
}

// TestNegativeControlRenderedSnapshot proves the snapshot examples/platform
// declares for staging is checked strictly against the real FlinkStateSnapshot
// CRD of the operator staging pins (not the overlay's stand-in CRD), so
// TestRenderedOverlays would fail on an invalid one.
func TestNegativeControlRenderedSnapshot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	sets, err := EnvironmentCRDSets(filepath.Join(root, "examples", "platform", "platform.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := BuildOverlay(filepath.Join(root, "overlays", "staging"))
	if err != nil {
		t.Fatal(err)
	}
	var snap *unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == "FlinkStateSnapshot" {
			snap = o
			break
		}
	}
	if snap == nil {
		t.Fatal("overlays/staging has no FlinkStateSnapshot; examples/platform declares one for staging")
	}
	srv := SharedServer(t, CRDDirs(t, sets["staging"]...), nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.CreateNamespaces(ctx, snap.GetNamespace()); err != nil {
		t.Fatal(err)
	}
	t.Run("as rendered", func(t *testing.T) {
		expectAccepted(t, srv.Client, snap.DeepCopy())
	})
	t.Run("formatType outside the enum", func(t *testing.T) {
		o := snap.DeepCopy()
		if err := unstructured.SetNestedField(o.Object, "BOGUS", "spec", "savepoint", "formatType"); err != nil {
			t.Fatal(err)
		}
		expectRejected(t, srv.Client, o, "spec.savepoint.formatType", "BOGUS")
	})
	t.Run("unknown field", func(t *testing.T) {
		o := snap.DeepCopy()
		if err := unstructured.SetNestedField(o.Object, "x", "spec", "savepoint", "notAField"); err != nil {
			t.Fatal(err)
		}
		expectRejected(t, srv.Client, o, "notAField")
	})
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestSampleOverlays exercises the overlay path (kustomize in process,
// Namespace and CRD created for real, the rest dry-run) on overlays written
// here, so the harness is proven independently of the render.
func TestSampleOverlays(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.TrimLeft(content, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("base/kustomization.yaml", `
resources:
- namespace.yaml
- widgets-crd.yaml
- rbac.yaml
- flinkdeployment.yaml
- karpenter.yaml
- cert-manager.yaml
- widget.yaml
`)
	write("base/namespace.yaml", `
apiVersion: v1
kind: Namespace
metadata:
  name: team-a
  labels:
    team: a
`)
	// A CRD shipped in the overlay itself (as charts will): created for real
	// before its custom resource (widget.yaml) is dry-run-created.
	write("base/widgets-crd.yaml", `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.krm-flink.dev
spec:
  group: example.krm-flink.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: string, enum: [small, large]}
`)
	write("base/widget.yaml", `
apiVersion: example.krm-flink.dev/v1
kind: Widget
metadata:
  name: w
  namespace: team-a
spec:
  size: small
`)
	write("base/rbac.yaml", `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: flink
  namespace: team-a
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: flink-job
rules:
- apiGroups: [""]
  resources: [pods, configmaps]
  verbs: ["*"]
- apiGroups: [apps]
  resources: [deployments, deployments/finalizers]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: flink-job
  namespace: team-a
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: flink-job}
subjects:
- {kind: ServiceAccount, name: flink, namespace: team-a}
`)
	write("base/flinkdeployment.yaml", `
apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata:
  name: orders
  namespace: team-a
spec:
  image: flink:1.18
  flinkVersion: v1_18
  serviceAccount: flink
  flinkConfiguration:
    metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory
    metrics.reporter.prom.port: "9999"
  jobManager:
    resource: {memory: 2048m, cpu: 1}
  taskManager:
    resource: {memory: 2048m, cpu: 1}
    podTemplate:
      metadata:
        annotations:
          ad.datadoghq.com/tolerate-unready: "true"
      spec:
        containers:
        - name: flink-main-container
  job:
    jarURI: local:///opt/flink/usrlib/orders.jar
    parallelism: 2
    upgradeMode: stateless
`)
	write("base/karpenter.yaml", `
apiVersion: karpenter.sh/v1beta1
kind: NodePool
metadata:
  name: orders
spec:
  template:
    spec:
      nodeClassRef: {name: orders}
      requirements:
      - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}
  disruption: {consolidationPolicy: WhenEmpty, consolidateAfter: 30s}
  limits: {cpu: "64"}
---
apiVersion: karpenter.k8s.aws/v1beta1
kind: EC2NodeClass
metadata:
  name: orders
spec:
  amiFamily: AL2
  role: KarpenterNodeRole-demo
  subnetSelectorTerms:
  - tags: {karpenter.sh/discovery: demo}
  securityGroupSelectorTerms:
  - tags: {karpenter.sh/discovery: demo}
`)
	write("base/cert-manager.yaml", `
apiVersion: cert-manager.io/v1
kind: Issuer
metadata:
  name: selfsigned
  namespace: team-a
spec:
  selfSigned: {}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: webhook
  namespace: team-a
spec:
  secretName: webhook-tls
  dnsNames: [webhook.team-a.svc]
  issuerRef: {name: selfsigned, kind: Issuer}
`)
	write("overlays/dev/kustomization.yaml", `
resources:
- ../../base
labels:
- pairs: {env: dev}
  includeSelectors: false
`)
	write("overlays/prod/kustomization.yaml", `
resources:
- ../../base
patches:
- target: {kind: FlinkDeployment, name: orders}
  patch: |
    - op: replace
      path: /spec/taskManager/resource/memory
      value: 4096m
`)
	write("overlays/not-an-overlay/README.md", "no kustomization here\n")

	overlays, err := FindOverlays(filepath.Join(dir, "overlays"))
	if err != nil || len(overlays) != 2 {
		t.Fatalf("FindOverlays = %v, %v; want dev and prod", overlays, err)
	}
	ValidateOverlays(t, filepath.Join(dir, "overlays"), CRDDirs(t, DefaultCRDSets...))
}

func mustDecode(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	objs, err := DecodeObjects([]byte(y))
	if err != nil || len(objs) != 1 {
		t.Fatalf("decode: %v (%d objects)", err, len(objs))
	}
	return objs[0]
}

// expectRejected dry-run-creates obj and requires a rejection whose message
// contains every one of want.
func expectRejected(t *testing.T, c *Client, obj *unstructured.Unstructured, want ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	errs := c.DryRunCreate(ctx, []*unstructured.Unstructured{obj})
	if len(errs) != 1 {
		t.Fatalf("%s %s was accepted; the server must reject it", obj.GetKind(), obj.GetName())
	}
	for _, w := range want {
		if !strings.Contains(errs[0].Error(), w) {
			t.Errorf("rejection %q does not mention %q", errs[0].Error(), w)
		}
	}
	t.Logf("rejected as expected: %v", errs[0])
}

func expectAccepted(t *testing.T, c *Client, obj *unstructured.Unstructured) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if errs := c.DryRunCreate(ctx, []*unstructured.Unstructured{obj}); len(errs) > 0 {
		t.Fatalf("%v", errs)
	}
}

const validFlinkDeployment = `
apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata:
  name: negative-control
  namespace: flink-jobs
spec:
  image: flink:1.18
  flinkVersion: v1_18
  serviceAccount: flink
  jobManager:
    resource: {memory: 2048m, cpu: 1}
  taskManager:
    resource: {memory: 2048m, cpu: 1}
`

// TestNegativeControlFlinkDeployment proves the server really validates
// against the operator 1.7.0 CRD, so the overlay test cannot pass by accident.
func TestNegativeControlFlinkDeployment(t *testing.T) {
	srv := SharedServer(t, CRDDirs(t, DefaultCRDSets...), nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.CreateNamespaces(ctx, "flink-jobs"); err != nil {
		t.Fatal(err)
	}
	t.Run("valid", func(t *testing.T) {
		expectAccepted(t, srv.Client, mustDecode(t, validFlinkDeployment))
	})
	t.Run("invalid flinkVersion", func(t *testing.T) {
		o := mustDecode(t, validFlinkDeployment)
		if err := unstructured.SetNestedField(o.Object, "v0_1", "spec", "flinkVersion"); err != nil {
			t.Fatal(err)
		}
		expectRejected(t, srv.Client, o, "spec.flinkVersion", "v0_1")
	})
	t.Run("flinkVersion newer than the 1.7.0 CRD", func(t *testing.T) {
		o := mustDecode(t, validFlinkDeployment)
		if err := unstructured.SetNestedField(o.Object, "v1_20", "spec", "flinkVersion"); err != nil {
			t.Fatal(err)
		}
		expectRejected(t, srv.Client, o, "spec.flinkVersion")
	})
	t.Run("unknown field", func(t *testing.T) {
		o := mustDecode(t, validFlinkDeployment)
		if err := unstructured.SetNestedField(o.Object, "x", "spec", "notAField"); err != nil {
			t.Fatal(err)
		}
		expectRejected(t, srv.Client, o, "notAField")
	})
	t.Run("ingress.tls newer than the 1.7.0 CRD", func(t *testing.T) {
		o := mustDecode(t, validFlinkDeployment)
		ingress := map[string]any{"template": "{{name}}.example.com", "tls": []any{map[string]any{"secretName": "t"}}}
		if err := unstructured.SetNestedField(o.Object, ingress, "spec", "ingress"); err != nil {
			t.Fatal(err)
		}
		expectRejected(t, srv.Client, o, "tls")
	})
	t.Run("namespace missing", func(t *testing.T) {
		o := mustDecode(t, validFlinkDeployment)
		o.SetNamespace("no-such-namespace")
		expectRejected(t, srv.Client, o, "no-such-namespace")
	})
}

const validNodePool = `
apiVersion: karpenter.sh/v1beta1
kind: NodePool
metadata:
  name: negative-control
spec:
  template:
    spec:
      nodeClassRef: {name: default}
      requirements:
      - {key: karpenter.sh/capacity-type, operator: In, values: [spot, on-demand]}
  disruption:
    consolidationPolicy: WhenEmpty
    consolidateAfter: 30s
    expireAfter: 720h
`

// TestNegativeControlNodePool: the Karpenter 0.34 NodePool schema and its CEL
// rules are enforced.
func TestNegativeControlNodePool(t *testing.T) {
	srv := SharedServer(t, CRDDirs(t, DefaultCRDSets...), nil)
	t.Run("valid", func(t *testing.T) {
		expectAccepted(t, srv.Client, mustDecode(t, validNodePool))
	})
	t.Run("invalid consolidationPolicy", func(t *testing.T) {
		o := mustDecode(t, validNodePool)
		if err := unstructured.SetNestedField(o.Object, "Sometimes", "spec", "disruption", "consolidationPolicy"); err != nil {
			t.Fatal(err)
		}
		expectRejected(t, srv.Client, o, "consolidationPolicy", "Sometimes")
	})
	t.Run("consolidateAfter with WhenUnderutilized (CEL rule)", func(t *testing.T) {
		o := mustDecode(t, validNodePool)
		if err := unstructured.SetNestedField(o.Object, "WhenUnderutilized", "spec", "disruption", "consolidationPolicy"); err != nil {
			t.Fatal(err)
		}
		expectRejected(t, srv.Client, o, "consolidateAfter")
	})
	t.Run("v1 API not served by 0.34", func(t *testing.T) {
		o := mustDecode(t, validNodePool)
		o.SetAPIVersion("karpenter.sh/v1")
		expectRejected(t, srv.Client, o, "karpenter.sh/v1")
	})
}

// TestNegativeControlBuiltin: built-in types are validated and strict field
// validation reports unknown fields.
func TestNegativeControlBuiltin(t *testing.T) {
	srv := SharedServer(t, CRDDirs(t, DefaultCRDSets...), nil)
	const cm = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: negative-control
  namespace: default
data:
  a: b
`
	t.Run("valid", func(t *testing.T) {
		expectAccepted(t, srv.Client, mustDecode(t, cm))
	})
	t.Run("unknown field", func(t *testing.T) {
		o := mustDecode(t, cm)
		o.Object["dta"] = map[string]any{"a": "b"}
		expectRejected(t, srv.Client, o, "dta")
	})
	t.Run("invalid name", func(t *testing.T) {
		o := mustDecode(t, cm)
		o.SetName("Not_A_DNS_Name")
		expectRejected(t, srv.Client, o, "Not_A_DNS_Name")
	})
}

// TestDryRunCreateCollectsAll: every rejected object is reported, not the first only.
func TestDryRunCreateCollectsAll(t *testing.T) {
	srv := SharedServer(t, CRDDirs(t, DefaultCRDSets...), nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.CreateNamespaces(ctx, "flink-jobs"); err != nil {
		t.Fatal(err)
	}
	objs, err := DecodeObjects([]byte(validFlinkDeployment + `
---
apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata: {name: bad-version, namespace: flink-jobs}
spec: {image: flink, flinkVersion: v0_1, serviceAccount: flink}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: fine, namespace: flink-jobs}
---
apiVersion: example.invalid/v1
kind: NoSuchKind
metadata: {name: unknown-kind}
---
apiVersion: v1
kind: Service
metadata: {name: bad-port, namespace: flink-jobs}
spec:
  ports: [{port: 70000}]
`))
	if err != nil {
		t.Fatal(err)
	}
	errs := srv.DryRunCreate(ctx, objs)
	got := map[string]bool{}
	for _, e := range errs {
		got[e.Name] = true
	}
	want := []string{"bad-version", "unknown-kind", "bad-port"}
	if len(errs) != len(want) {
		t.Errorf("got %d rejections, want %d: %v", len(errs), len(want), errs)
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("%s was not reported: %v", w, errs)
		}
	}
	t.Log(errs.Error())
}

// TestNegativeControlNewerPlatform runs on a second server with the newer
// CRD sets (Karpenter 1.14.1, operator 1.15.0), whose CRD names clash with
// the reference platform's: servers are per CRD set.
func TestNegativeControlNewerPlatform(t *testing.T) {
	srv := SharedServer(t, CRDDirs(t, CertManager182, FlinkOperator115, Karpenter114), nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.CreateNamespaces(ctx, "flink-jobs"); err != nil {
		t.Fatal(err)
	}
	const nodePool = `
apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: negative-control
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      expireAfter: 720h
      requirements:
      - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}
  disruption:
    consolidationPolicy: WhenEmptyOrUnderutilized
    consolidateAfter: 1m
`
	const nodeClass = `
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: default
spec:
  amiSelectorTerms:
  - alias: al2023@latest
  role: KarpenterNodeRole-demo
  subnetSelectorTerms:
  - tags: {karpenter.sh/discovery: demo}
  securityGroupSelectorTerms:
  - tags: {karpenter.sh/discovery: demo}
`
	t.Run("valid NodePool v1", func(t *testing.T) {
		expectAccepted(t, srv.Client, mustDecode(t, nodePool))
	})
	t.Run("NodePool v1 nodeClassRef without group", func(t *testing.T) {
		o := mustDecode(t, nodePool)
		unstructured.RemoveNestedField(o.Object, "spec", "template", "spec", "nodeClassRef", "group")
		expectRejected(t, srv.Client, o, "group")
	})
	t.Run("NodePool v1beta1 not served by 1.14", func(t *testing.T) {
		expectRejected(t, srv.Client, mustDecode(t, validNodePool), "karpenter.sh/v1beta1")
	})
	t.Run("valid EC2NodeClass v1", func(t *testing.T) {
		expectAccepted(t, srv.Client, mustDecode(t, nodeClass))
	})
	t.Run("EC2NodeClass v1 without amiSelectorTerms", func(t *testing.T) {
		o := mustDecode(t, nodeClass)
		unstructured.RemoveNestedField(o.Object, "spec", "amiSelectorTerms")
		expectRejected(t, srv.Client, o, "amiSelectorTerms")
	})
	t.Run("flinkVersion v1_20 accepted by the 1.15.0 CRD", func(t *testing.T) {
		o := mustDecode(t, validFlinkDeployment)
		if err := unstructured.SetNestedField(o.Object, "v1_20", "spec", "flinkVersion"); err != nil {
			t.Fatal(err)
		}
		expectAccepted(t, srv.Client, o)
	})
	t.Run("invalid flinkVersion", func(t *testing.T) {
		o := mustDecode(t, validFlinkDeployment)
		if err := unstructured.SetNestedField(o.Object, "v0_1", "spec", "flinkVersion"); err != nil {
			t.Fatal(err)
		}
		expectRejected(t, srv.Client, o, "spec.flinkVersion")
	})
}

// TestStartStop: a per-test server reports the pinned version through
// discovery (the -ldflags of install-apiserver.sh) and is gone after cleanup.
func TestStartStop(t *testing.T) {
	want, err := PinnedVersion()
	if err != nil {
		t.Fatal(err)
	}
	var srv *Server
	t.Run("start", func(t *testing.T) {
		srv = Start(t)
		v, err := srv.Discovery.ServerVersion()
		if err != nil {
			t.Fatal(err)
		}
		if v.GitVersion != want {
			t.Errorf("server version %q, want %q (built by hack/install-apiserver.sh)", v.GitVersion, want)
		}
		if wantMinor := strings.Split(want, ".")[1]; v.Major != "1" || v.Minor != wantMinor {
			t.Errorf("server major.minor %s.%s, want 1.%s", v.Major, v.Minor, wantMinor)
		}
	})
	if srv == nil {
		t.FailNow()
	}
	if _, err := srv.Discovery.ServerVersion(); err == nil {
		t.Errorf("server %s still answers after its test's cleanup", srv.URL)
	}
}
