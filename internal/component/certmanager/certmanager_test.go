package certmanager_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/chart/charttest"
	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/component/certmanager"
	"github.com/krm-flink/krm-flink/internal/component/componenttest"
	"github.com/krm-flink/krm-flink/internal/component/helmcomponent"
)

func TestCRDValuesKeyByVersion(t *testing.T) {
	for v, byValue := range map[string]bool{"v1.8.2": false, "v1.14.5": false, "v1.15.0": true, "v1.19.1": true, "2.0.0": true} {
		if got := certmanager.CRDsByValue(v); got != byValue {
			t.Errorf("%s: crds.enabled %v, want %v", v, got, byValue)
		}
	}
	if _, ok := certmanager.Values("v1.8.2")["installCRDs"]; !ok {
		t.Error("v1.8.2 does not set installCRDs")
	}
	crds := certmanager.Values("v1.16.0")["crds"].(map[string]any)
	if crds["enabled"] != true || crds["keep"] != true {
		t.Errorf("v1.16: %v", crds)
	}
}

// TestCRDsRendered: with the v1.8.2 fixture (whose schema rejects crds.*),
// installCRDs renders the CRDs; a v1.15 chart gets crds.enabled instead.
func TestCRDsRendered(t *testing.T) {
	objs, _, errs := componenttest.Render(t, certmanager.New(componenttest.Resolver(t)),
		componenttest.Plan(t, componenttest.Set(t, componenttest.Platform), "dev"))
	if errs != nil {
		t.Fatal(errs)
	}
	for _, name := range []string{"certificates.cert-manager.io", "issuers.cert-manager.io", "clusterissuers.cert-manager.io", "certificaterequests.cert-manager.io"} {
		if componenttest.Find(objs, "CustomResourceDefinition", "", name) == nil {
			t.Errorf("no CRD %s", name)
		}
	}
	// A newer chart that only knows crds.enabled.
	c := charttest.WithVersion(charttest.Fixture(t, "cert-manager"), "v1.15.0")
	for _, f := range c.Raw {
		if f.Name == "values.yaml" {
			f.Data = []byte(strings.Replace(string(f.Data), "installCRDs: false", "crds:\n  enabled: false\n  keep: true", 1))
		}
	}
	c.Schema = []byte(`{"type":"object","properties":{"installCRDs":{"not":{}}}}`)
	for _, tpl := range c.Templates {
		if tpl.Name == "templates/crds.yaml" {
			tpl.Data = []byte(strings.Replace(string(tpl.Data), "if .Values.installCRDs", "if .Values.crds.enabled", 1))
		}
	}
	tgz, _ := charttest.Package(t, c)
	platform := componenttest.Platform + "  components:\n    cert-manager:\n      version: v1.15.0\n      chart:\n        path: " + tgz + "\n"
	objs, _, errs = componenttest.Render(t, certmanager.New(componenttest.Resolver(t)), componenttest.Plan(t, componenttest.Set(t, platform), "dev"))
	if errs != nil {
		t.Fatal(errs)
	}
	if componenttest.Find(objs, "CustomResourceDefinition", "", "certificates.cert-manager.io") == nil {
		t.Error("v1.15: no CRDs")
	}
}

// TestStaticManifest renders cert-manager from a release manifest file.
func TestStaticManifest(t *testing.T) {
	dir := t.TempDir()
	manifest := `apiVersion: v1
kind: Namespace
metadata:
  name: cert-manager
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: cert-manager
  namespace: cert-manager
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: cert-manager-view
rules: []
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: no-namespace
---
apiVersion: batch/v1
kind: Job
metadata:
  name: cert-manager-startupapicheck
  namespace: cert-manager
  annotations:
    helm.sh/hook: post-install
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  template:
    spec:
      restartPolicy: OnFailure
      containers: [{name: check, image: ctl}]
---
apiVersion: v1
kind: Pod
metadata:
  name: cert-manager-test
  namespace: cert-manager
  annotations:
    helm.sh/hook: test
spec:
  containers: [{name: t, image: busybox}]
`
	if err := os.WriteFile(filepath.Join(dir, "cert-manager.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	set := componenttest.Set(t, componenttest.Platform+"  components:\n    cert-manager:\n      manifest: "+filepath.Join(dir, "cert-manager.yaml")+"\n")
	objs, warns, errs := componenttest.Render(t, certmanager.New(componenttest.Resolver(t)), componenttest.Plan(t, set, "dev"))
	if errs != nil || len(warns) != 0 {
		t.Fatal(errs, warns)
	}
	if len(objs) != 5 {
		t.Errorf("want the manifest's 5 objects but its test hook, got %d", len(objs))
	}
	if o := componenttest.Find(objs, "ConfigMap", "cert-manager", "no-namespace"); o == nil {
		t.Error("the namespace was not set")
	}
	// The hooks policy applies to a manifest's hooks as to a chart's.
	job := componenttest.Find(objs, "Job", "cert-manager", "cert-manager-startupapicheck")
	if ann := job.GetAnnotations(); ann["helm.sh/hook"] != "" || ann[helmcomponent.HookAnnotation] != "post-install" {
		t.Errorf("the post-install Job is not a plain object: %v", ann)
	}
	if componenttest.Find(objs, "Pod", "cert-manager", "cert-manager-test") != nil {
		t.Error("the test hook was kept")
	}
	// A static manifest cannot be moved to another namespace.
	moved := componenttest.Set(t, componenttest.Platform+"  components:\n    cert-manager:\n      namespace: certs\n      manifest: "+filepath.Join(dir, "cert-manager.yaml")+"\n")
	_, _, errs = componenttest.Render(t, certmanager.New(componenttest.Resolver(t)), componenttest.Plan(t, moved, "dev"))
	if len(errs) != 1 || errs[0].Field != "spec.components.cert-manager.namespace" || !strings.Contains(errs[0].Message, "installs into cert-manager") {
		t.Errorf("moved manifest: %v", errs)
	}
}

func TestGoldenExample(t *testing.T) {
	componenttest.GoldenExample(t, func(r *source.Resolver) component.Renderer { return certmanager.New(r) })
}
