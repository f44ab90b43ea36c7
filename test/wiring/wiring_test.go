// Package wiring checks, in rendered output, the wiring issue 3 asks of the
// four third-party components, with assertions that hold for any chart of
// the pinned lines: krm-flink's built-in fixtures by default, and the real
// upstream charts when KRM_FLINK_UPSTREAM_CHARTS names a folder holding
// them as `helm pull --untar` leaves them (cert-manager/,
// flink-kubernetes-operator/, aws-for-fluent-bit/, karpenter/; any subset).
// CI has no network and runs it on the fixtures; a platform team runs it on
// the charts it deploys:
//
//	KRM_FLINK_UPSTREAM_CHARTS=$PWD/upstream go test ./test/wiring -v
package wiring

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/krm-flink/krm-flink/fn/cli"
	"github.com/krm-flink/krm-flink/internal/component/flinkoperator"
	"github.com/krm-flink/krm-flink/internal/component/fluentbit"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

// UpstreamChartsEnv names the folder of upstream charts to check.
const UpstreamChartsEnv = "KRM_FLINK_UPSTREAM_CHARTS"

var repoRoot = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}()

// charts maps component to upstream chart folder name.
var charts = map[string]string{
	"cert-manager":   "cert-manager",
	"flink-operator": "flink-kubernetes-operator",
	"fluent-bit":     "aws-for-fluent-bit",
	"karpenter":      "karpenter",
}

// environment is what the example platform says of each environment.
type environment struct {
	name, clusterName, region, queue string
}

var environments = []environment{
	{"prod", "flink-prod", "us-east-1", "flink-prod-karpenter"},
	{"staging", "flink-staging", "us-west-2", "flink-staging-karpenter"},
}

// jobNamespaces are the example's job namespaces, as the operator lists them.
const jobNamespaces = "analytics,commerce"

type objects map[string]*manifest.Object

func key(kind, namespace, name string) string { return kind + "/" + namespace + "/" + name }

func (objs objects) get(t *testing.T, kind, namespace, name string) *manifest.Object {
	t.Helper()
	o := objs[key(kind, namespace, name)]
	if o == nil {
		t.Fatalf("no %s %s/%s rendered", kind, namespace, name)
	}
	return o
}

func (objs objects) ofKind(kind string) []*manifest.Object {
	var out []*manifest.Object
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// examplePinsFluentBit is how the example platform pins aws-for-fluent-bit.
const examplePinsFluentBit = "      version: 0.2.0\n"

// render renders the example platform once, with the upstream charts found,
// and returns each environment's objects of one component folder. A
// fluentBitVersion replaces the example's aws-for-fluent-bit pin.
func render(t *testing.T, fluentBitVersion string) (func(env, component string) objects, map[string]bool) {
	t.Helper()
	platform := filepath.Join(repoRoot, "examples", "platform")
	if fluentBitVersion != "" {
		dir := t.TempDir()
		testutil.CopyDir(t, platform, dir)
		file := filepath.Join(dir, "platform.yaml")
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(examplePinsFluentBit)) {
			t.Fatalf("examples/platform no longer pins aws-for-fluent-bit as %q", examplePinsFluentBit)
		}
		data = bytes.Replace(data, []byte(examplePinsFluentBit), []byte("      version: "+fluentBitVersion+"\n"), 1)
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		platform = dir
	}
	out := t.TempDir()
	args := []string{"render", "-f", platform, "--all-envs", "-o", out}
	upstream := map[string]bool{}
	if dir := os.Getenv(UpstreamChartsEnv); dir != "" {
		for component, chart := range charts {
			if _, err := os.Stat(filepath.Join(dir, chart, "Chart.yaml")); err == nil {
				args = append(args, "--chart", component+"="+filepath.Join(dir, chart))
				upstream[component] = true
			}
		}
		if len(upstream) == 0 {
			t.Fatalf("%s=%s holds none of the charts", UpstreamChartsEnv, dir)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := cli.Main(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("render: exit %d\n%s", code, stderr.String())
	}
	t.Logf("charts checked: upstream %v, the rest built-in fixtures", upstream)
	tree := testutil.ReadTree(t, out)
	return func(env, component string) objects {
		t.Helper()
		objs := objects{}
		for path, data := range tree {
			parts := strings.Split(path, "/")
			if len(parts) < 3 || parts[0] != env || parts[2] != component || filepath.Base(path) == "kustomization.yaml" {
				continue
			}
			parsed, err := manifest.ParseYAML(component, []byte(data))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for _, o := range parsed {
				objs[key(o.GetKind(), o.GetNamespace(), o.GetName())] = o
			}
		}
		if len(objs) == 0 {
			t.Fatalf("%s: nothing rendered for %s", env, component)
		}
		return objs
	}, upstream
}

func TestWiring(t *testing.T) {
	component, upstream := render(t, "")
	for _, env := range environments {
		t.Run(env.name+"/cert-manager", func(t *testing.T) { certManager(t, component(env.name, "cert-manager")) })
		t.Run(env.name+"/flink-operator", func(t *testing.T) { flinkOperator(t, component(env.name, "flink-operator")) })
		t.Run(env.name+"/fluent-bit", func(t *testing.T) {
			fluentBit(t, env, component(env.name, "fluent-bit"), fixtureVersion(upstream, "0.2.0"))
		})
		t.Run(env.name+"/karpenter", func(t *testing.T) { karpenter(t, env, component(env.name, "karpenter")) })
	}
}

// TestWiringFluentBit01 checks Fluent Bit's wiring again on the 0.1.x chart
// line (the 2.x image), whose charts default the log group and stream
// templates that krm-flink blanks.
func TestWiringFluentBit01(t *testing.T) {
	const version = "0.1.32"
	component, upstream := render(t, version)
	for _, env := range environments {
		t.Run(env.name, func(t *testing.T) {
			fluentBit(t, env, component(env.name, "fluent-bit"), fixtureVersion(upstream, version))
		})
	}
}

// fixtureVersion is the aws-for-fluent-bit version the built-in fixture
// must render, or "" when the upstream chart replaces it.
func fixtureVersion(upstream map[string]bool, version string) string {
	if upstream["fluent-bit"] {
		return ""
	}
	return version
}

// certManager: its CRDs are on (installCRDs before v1.15), it runs in its
// namespace, and none of the chart's Helm-isms reach Git: no
// startupapicheck hook Job, no Helm labels (creator: static).
func certManager(t *testing.T, objs objects) {
	for _, crd := range []string{"certificates.cert-manager.io", "issuers.cert-manager.io", "clusterissuers.cert-manager.io", "certificaterequests.cert-manager.io"} {
		objs.get(t, "CustomResourceDefinition", "", crd)
	}
	for _, d := range []string{"cert-manager", "cert-manager-webhook", "cert-manager-cainjector"} {
		objs.get(t, "Deployment", "cert-manager", d)
	}
	if jobs := objs.ofKind("Job"); len(jobs) != 0 {
		t.Errorf("a Job reached the output: %s", jobs[0].GetName())
	}
	for _, o := range objs {
		if o.GetLabels()["helm.sh/chart"] != "" || strings.Contains(fmt.Sprint(o.Object), "managed-by:Helm") {
			t.Errorf("%s %s carries Helm labels", o.GetKind(), o.GetName())
		}
	}
}

// flinkOperator: watchNamespaces are the job namespaces; the reporter
// factory and port are in every Flink configuration file the chart writes;
// the pod exposes the metrics port and rolls when its configuration
// changes; the webhook has its cert-manager Issuer and Certificate; the
// chart's job RBAC is off (the rbac component owns it).
func flinkOperator(t *testing.T, objs objects) {
	cm := objs.get(t, "ConfigMap", "flink-operator", "flink-operator-config")
	data, _ := cm.Object["data"].(map[string]any)
	files := 0
	for _, file := range []string{"flink-conf.yaml", "config.yaml"} {
		conf, ok := data[file].(string)
		if !ok {
			continue
		}
		files++
		for _, line := range []string{
			"kubernetes.operator.watched.namespaces: " + jobNamespaces,
			"kubernetes.operator.metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
			"kubernetes.operator.metrics.reporter.prom.port: 9999",
		} {
			if !strings.Contains(conf, line+"\n") && !strings.HasSuffix(conf, line) {
				t.Errorf("%s lacks %q", file, line)
			}
		}
	}
	if files == 0 {
		t.Error("the operator ConfigMap has no Flink configuration")
	}
	var operator *manifest.Object
	for _, d := range objs.ofKind("Deployment") {
		operator = d
	}
	if operator == nil {
		t.Fatal("no operator Deployment")
	}
	if !exposes(operator, 9999) {
		t.Error("the operator pod does not expose the metrics port 9999")
	}
	if h, _, _ := unstructured.NestedString(operator.Object, "spec", "template", "metadata", "annotations", flinkoperator.ConfigHashAnnotation); h == "" {
		t.Error("the operator pod template has no config hash")
	}
	if len(objs.ofKind("Issuer")) == 0 || len(objs.ofKind("Certificate")) == 0 {
		t.Error("the webhook has no cert-manager Issuer and Certificate")
	}
	for _, ns := range strings.Split(jobNamespaces, ",") {
		for _, kind := range []string{"ServiceAccount", "Role", "RoleBinding"} {
			for _, o := range objs.ofKind(kind) {
				if o.GetNamespace() == ns && (o.GetName() == "flink" || o.GetName() == "flink-role-binding") {
					t.Errorf("the chart rendered the job's %s %s/%s", kind, ns, o.GetName())
				}
			}
		}
		found := false
		for _, o := range objs.ofKind("Role") {
			found = found || o.GetNamespace() == ns
		}
		if !found {
			t.Errorf("no operator Role in job namespace %s", ns)
		}
	}
}

// fluentBit: the tail input reads the container logs without the excluded
// paths; the CloudWatch Logs output goes to the environment's region and
// log group, with no chart-default template overriding the group; the
// DaemonSet tolerates the job NodePools' taint. A fixture version names
// the built-in chart every object must come from.
func fluentBit(t *testing.T, env environment, objs objects, fixture string) {
	ds := objs.get(t, "DaemonSet", "kube-system", "aws-for-fluent-bit")
	if fixture != "" {
		for _, o := range objs {
			if got := o.GetAnnotations()["krm-flink.io/fixture-chart"]; got != "aws-for-fluent-bit-"+fixture {
				t.Errorf("%s %s comes from fixture %q, want aws-for-fluent-bit-%s", o.GetKind(), o.GetName(), got, fixture)
			}
		}
	}
	tolerations, _, _ := unstructured.NestedSlice(ds.Object, "spec", "template", "spec", "tolerations")
	want := fluentbit.NodePoolToleration()
	tolerated := false
	for _, tol := range tolerations {
		tolerated = tolerated || fmt.Sprint(tol) == fmt.Sprint(want)
	}
	if !tolerated {
		t.Errorf("the DaemonSet does not tolerate %v: %v", want, tolerations)
	}
	var conf string
	for _, cm := range objs.ofKind("ConfigMap") {
		data, _ := cm.Object["data"].(map[string]any)
		if s, ok := data["fluent-bit.conf"].(string); ok {
			conf = s
		}
	}
	if conf == "" {
		t.Fatal("no fluent-bit.conf")
	}
	tail := section(conf, "tail")
	for _, want := range []string{
		"Path", "/var/log/containers/*.log",
		"Exclude_Path /var/log/containers/*spark*.log,/var/log/containers/*datadog*.log,/var/log/containers/*emr*.log",
		"/var/log/flb_kube.db", "5MB", "docker, cri",
	} {
		if !strings.Contains(tail, want) {
			t.Errorf("the tail [INPUT] lacks %q:\n%s", want, tail)
		}
	}
	out := section(conf, "cloudwatch_logs")
	for _, want := range []string{"region", env.region, "log_group_name", "/aws/eks/" + env.clusterName + "/" + env.name + "/containers"} {
		if !strings.Contains(out, want) {
			t.Errorf("the cloudwatch_logs [OUTPUT] lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "log_group_template") || strings.Contains(out, "log_stream_template") {
		t.Errorf("a template overrides the log group:\n%s", out)
	}
}

// section returns the [INPUT]/[OUTPUT] section of a Fluent Bit config whose
// Name is name.
func section(conf, name string) string {
	for _, s := range strings.Split(conf, "[") {
		for _, line := range strings.Split(s, "\n") {
			f := strings.Fields(line)
			if len(f) == 2 && strings.EqualFold(f[0], "Name") && f[1] == name {
				return s
			}
		}
	}
	return ""
}

// karpenter: the controller knows the cluster and its interruption queue,
// its ServiceAccount carries the IRSA role, and the NodePool CRD is there.
func karpenter(t *testing.T, env environment, objs objects) {
	dep := objs.get(t, "Deployment", "karpenter", "karpenter")
	for name, want := range map[string]string{"CLUSTER_NAME": env.clusterName, "INTERRUPTION_QUEUE": env.queue} {
		if got := envValue(dep, name); got != want {
			t.Errorf("the controller's %s is %q, want %q", name, got, want)
		}
	}
	sa := objs.get(t, "ServiceAccount", "karpenter", "karpenter")
	if sa.GetAnnotations()["eks.amazonaws.com/role-arn"] != "arn:aws:iam::111122223333:role/KarpenterController" {
		t.Error("the controller's ServiceAccount has no IRSA role")
	}
	objs.get(t, "CustomResourceDefinition", "", "nodepools.karpenter.sh")
}

// containers are the containers of a workload's pod template.
func containers(o *manifest.Object) []map[string]any {
	list, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "containers")
	var out []map[string]any
	for _, c := range list {
		if m, ok := c.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// envValue is the value of an environment variable of any container.
func envValue(o *manifest.Object, name string) string {
	for _, c := range containers(o) {
		env, _, _ := unstructured.NestedSlice(c, "env")
		for _, e := range env {
			if m, ok := e.(map[string]any); ok && m["name"] == name {
				v, _ := m["value"].(string)
				return v
			}
		}
	}
	return ""
}

// exposes tells whether any container declares the port.
func exposes(o *manifest.Object, port int64) bool {
	for _, c := range containers(o) {
		ports, _, _ := unstructured.NestedSlice(c, "ports")
		for _, p := range ports {
			if m, ok := p.(map[string]any); ok && fmt.Sprint(m["containerPort"]) == fmt.Sprint(port) {
				return true
			}
		}
	}
	return false
}
