package flinkoperator_test

import (
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/krm-flink/krm-flink/internal/chart/charttest"
	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/component/componenttest"
	"github.com/krm-flink/krm-flink/internal/component/flinkoperator"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

func render(t *testing.T, env string, docs ...string) ([]*manifest.Object, problem.List) {
	t.Helper()
	p := componenttest.Plan(t, componenttest.Set(t, docs...), env)
	objs, _, errs := componenttest.Render(t, flinkoperator.New(componenttest.Resolver(t)), p)
	return objs, errs
}

func configMap(t *testing.T, objs []*manifest.Object) string {
	t.Helper()
	cm := componenttest.Find(objs, "ConfigMap", "flink-operator", "flink-operator-config")
	if cm == nil {
		t.Fatal("no operator ConfigMap")
	}
	conf, _, _ := unstructuredString(cm.Object, "data", "flink-conf.yaml")
	return conf
}

func unstructuredString(obj map[string]any, path ...string) (string, bool, error) {
	var cur any = obj
	for _, p := range path {
		cur = cur.(map[string]any)[p]
	}
	s, ok := cur.(string)
	return s, ok, nil
}

// TestWatchNamespacesFollowJobs: the operator watches exactly the job
// namespaces of each environment, and the chart's job RBAC is off.
func TestWatchNamespacesFollowJobs(t *testing.T) {
	onlyProd := componenttest.Job("payments", "audit") + "  only: [prod]\n"
	docs := []string{componenttest.Platform, componenttest.Job("team-b", "b1"), componenttest.Job("team-a", "a1"), componenttest.Job("team-a", "a2"), onlyProd}
	for env, want := range map[string]string{"dev": "team-a,team-b", "prod": "payments,team-a,team-b"} {
		objs, errs := render(t, env, docs...)
		if errs != nil {
			t.Fatal(errs)
		}
		if conf := configMap(t, objs); !strings.Contains(conf, "kubernetes.operator.watched.namespaces: "+want+"\n") {
			t.Errorf("%s: watched namespaces, want %s in:\n%s", env, want, conf)
		}
		for _, ns := range strings.Split(want, ",") {
			if componenttest.Find(objs, "Role", ns, "flink-operator") == nil {
				t.Errorf("%s: no operator Role in %s", env, ns)
			}
			// The rbac component owns the job ServiceAccount and permissions.
			for _, kind := range []string{"ServiceAccount", "Role", "RoleBinding"} {
				if o := componenttest.Find(objs, kind, ns, "flink"); o != nil {
					t.Errorf("%s: the chart rendered job %s %s/flink", env, kind, ns)
				}
			}
		}
	}
	// The operator reads its namespaces only at start: a new one rolls its pod.
	hash := func(docs ...string) string {
		t.Helper()
		objs, errs := render(t, "dev", docs...)
		if errs != nil {
			t.Fatal(errs)
		}
		dep := componenttest.Find(objs, "Deployment", "flink-operator", "flink-kubernetes-operator")
		h, _, _ := unstructuredString(dep.Object, "spec", "template", "metadata", "annotations", flinkoperator.ConfigHashAnnotation)
		if h == "" {
			t.Fatal("the operator pod has no config hash")
		}
		return h
	}
	before := hash(docs...)
	if again := hash(docs...); again != before {
		t.Errorf("the same input gave hashes %s and %s", before, again)
	}
	if sameNamespace := hash(append(docs, componenttest.Job("team-a", "a3"))...); sameNamespace != before {
		t.Error("a job in a namespace already watched rolled the operator")
	}
	if newNamespace := hash(append(docs, componenttest.Job("team-c", "c1"))...); newNamespace == before {
		t.Error("a new job namespace left the operator's pod as it was")
	}
	// No job at all: the operator watches its own namespace, not the cluster.
	objs, errs := render(t, "dev", componenttest.Platform)
	if errs != nil {
		t.Fatal(errs)
	}
	if conf := configMap(t, objs); !strings.Contains(conf, "kubernetes.operator.watched.namespaces: flink-operator\n") {
		t.Errorf("no jobs:\n%s", conf)
	}
	if componenttest.Find(objs, "ClusterRole", "", "flink-operator") != nil {
		t.Error("no jobs: the operator got a ClusterRole")
	}
}

// TestReporterPort: the operator's reporter and metrics port are the
// platform's; values that break that are errors.
func TestReporterPort(t *testing.T) {
	platform := componenttest.Platform + "  metrics:\n    port: 9250\n"
	objs, errs := render(t, "dev", platform)
	if errs != nil {
		t.Fatal(errs)
	}
	conf := configMap(t, objs)
	for _, line := range []string{
		"kubernetes.operator.metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory\n",
		"kubernetes.operator.metrics.reporter.prom.port: 9250\n",
	} {
		if !strings.Contains(conf, line) {
			t.Errorf("flink-conf.yaml lacks %q:\n%s", line, conf)
		}
	}
	dep := componenttest.Find(objs, "Deployment", "flink-operator", "flink-kubernetes-operator")
	if dep == nil || !strings.Contains(componenttest.YAML(t, []*manifest.Object{dep}), "containerPort: 9250") {
		t.Error("operator pod has no metrics port 9250")
	}

	cases := map[string]struct{ values, field string }{
		"metrics.port": {"metrics:\n          port: 9999\n", "spec.components.flink-operator.values.metrics.port"},
		"flink-conf":   {"defaultConfiguration:\n          flink-conf.yaml: \"kubernetes.operator.metrics.reporter.prom.port: 1234\"\n", "spec.components.flink-operator.values.defaultConfiguration[flink-conf.yaml]"},
		"watch":        {"watchNamespaces: [other]\n", "spec.components.flink-operator.values.watchNamespaces"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := platform + "  components:\n    flink-operator:\n      values:\n        " + tc.values
			_, errs := render(t, "dev", p, componenttest.Job("team-a", "a1"))
			if len(errs) == 0 || !hasField(errs, tc.field) {
				t.Errorf("want an error at %s, got %v", tc.field, errs)
			}
		})
	}
}

func hasField(l problem.List, field string) bool {
	for _, p := range l {
		if p.Field == field {
			return true
		}
	}
	return false
}

// TestWebhookNeedsCertManager: a webhook without cert-manager is refused,
// whether switched on by the platform or by raw values; off, no Issuer.
func TestWebhookNeedsCertManager(t *testing.T) {
	noCM := componenttest.Platform + "  components:\n    cert-manager:\n      enabled: false\n"
	set := componenttest.Set(t, noCM)
	if probs := planProblems(set); !hasField(probs, "spec.components.flink-operator.webhook") {
		t.Errorf("platform check: %v", probs)
	}
	off := noCM + "    flink-operator:\n      webhook: false\n"
	objs, errs := render(t, "dev", off)
	if errs != nil {
		t.Fatal(errs)
	}
	for _, kind := range []string{"Issuer", "Certificate", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"} {
		for _, o := range objs {
			if o.GetKind() == kind {
				t.Errorf("webhook off rendered %s %s", kind, o.GetName())
			}
		}
	}
	viaValues := off + "      values:\n        webhook:\n          create: true\n"
	if _, errs := render(t, "dev", viaValues); !hasField(errs, "spec.components.flink-operator.values.webhook.create") {
		t.Errorf("values: %v", errs)
	}
	// The chart lets webhook.validator.create / mutator.create switch a
	// side on over webhook.create: that needs cert-manager just the same.
	for _, side := range []string{"validator", "mutator"} {
		viaSide := off + "      values:\n        webhook:\n          " + side + ": {create: true}\n"
		if _, errs := render(t, "dev", viaSide); !hasField(errs, "spec.components.flink-operator.values.webhook.create") {
			t.Errorf("%s: %v", side, errs)
		}
		withCM := componenttest.Platform + "  components:\n    flink-operator:\n      webhook: false\n      values:\n        webhook:\n          " + side + ": {create: true}\n"
		objs, errs := render(t, "dev", withCM)
		if errs != nil || componenttest.Find(objs, "Certificate", "flink-operator", "flink-operator-serving-cert") == nil {
			t.Errorf("%s on over webhook.create false: no Certificate (%v)", side, errs)
		}
	}
	on, errs := render(t, "dev", componenttest.Platform)
	if errs != nil || componenttest.Find(on, "Certificate", "flink-operator", "flink-operator-serving-cert") == nil ||
		componenttest.Find(on, "Issuer", "flink-operator", "flink-operator-selfsigned-issuer") == nil {
		t.Errorf("webhook on: no Issuer/Certificate (%v)", errs)
	}
}

func planProblems(set *input.Set) problem.List { return resolve.CheckPlatform(set.Platform) }

func TestGoldenExample(t *testing.T) {
	componenttest.GoldenExample(t, func(r *source.Resolver) component.Renderer { return flinkoperator.New(r) })
}

// TestConfigYAMLCharts: a chart that renders config.yaml (newer operator
// charts; Flink 1.19+ reads it before flink-conf.yaml) gets the reporter
// there too, and values that break it there are refused.
func TestConfigYAMLCharts(t *testing.T) {
	c := charttest.WithVersion(charttest.Fixture(t, "flink-kubernetes-operator"), "1.15.0")
	c.Templates = append(c.Templates, &chart.File{Name: "templates/config-yaml.yaml", Data: []byte(`apiVersion: v1
kind: ConfigMap
metadata:
  name: flink-operator-config-yaml
data:
  config.yaml: {{ index .Values.defaultConfiguration "config.yaml" | quote }}
`)})
	dir := t.TempDir()
	if err := chartutil.SaveDir(c, dir); err != nil {
		t.Fatal(err)
	}
	platform := componenttest.Platform + "  components:\n    flink-operator:\n      version: 1.15.0\n      chart: {path: " + filepath.Join(dir, c.Name()) + "}\n"
	if keys := flinkoperator.ConfigKeys(charttest.Fixture(t, "flink-kubernetes-operator")); len(keys) != 1 {
		t.Errorf("the 1.7.0 fixture renders only flink-conf.yaml, got %v", keys)
	}
	objs, errs := render(t, "dev", platform)
	if errs != nil {
		t.Fatal(errs)
	}
	cm := componenttest.Find(objs, "ConfigMap", "flink-operator", "flink-operator-config-yaml")
	if cm == nil {
		t.Fatal("no config.yaml ConfigMap")
	}
	conf, _, _ := unstructuredString(cm.Object, "data", "config.yaml")
	if !strings.Contains(conf, "kubernetes.operator.metrics.reporter.prom.port: 9999\n") {
		t.Errorf("config.yaml lacks the reporter:\n%s", conf)
	}
	broken := platform + "      values:\n        defaultConfiguration:\n          config.yaml: \"a: b\"\n"
	if _, errs := render(t, "dev", broken); !hasField(errs, "spec.components.flink-operator.values.defaultConfiguration[config.yaml]") {
		t.Errorf("want an error at defaultConfiguration[config.yaml], got %v", errs)
	}
}
