package fluentbit_test

import (
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/component/componenttest"
	"github.com/krm-flink/krm-flink/internal/component/fluentbit"
	"github.com/krm-flink/krm-flink/internal/manifest"
)

func config(t *testing.T, objs []*manifest.Object) string {
	t.Helper()
	cm := componenttest.Find(objs, "ConfigMap", "kube-system", "aws-for-fluent-bit")
	if cm == nil {
		t.Fatal("no Fluent Bit ConfigMap in kube-system")
	}
	return cm.Object["data"].(map[string]any)["fluent-bit.conf"].(string)
}

// TestWiring: region and log group per environment, the tail path and the
// Exclude_Path built from the platform's list, the IRSA role, kube-system;
// for the default chart (0.2.0) and for 0.1.32, whose default log group and
// stream templates krm-flink must blank.
func TestWiring(t *testing.T) {
	for _, version := range []string{"", "0.1.32"} {
		name := "default"
		if version != "" {
			name = version
		}
		t.Run(name, func(t *testing.T) { testWiring(t, version) })
	}
}

func testWiring(t *testing.T, version string) {
	pin := ""
	if version != "" {
		pin = "      version: " + version + "\n"
	}
	platform := componenttest.Platform + `  components:
    fluent-bit:
` + pin + `      roleArn: arn:aws:iam::1:role/fluent-bit
      excludePaths:
        - /var/log/containers/*spark*.log
        - /var/log/containers/*datadog*.log
        - /var/log/containers/*emr*.log
`
	set := componenttest.Set(t, platform)
	for env, want := range map[string][2]string{
		"dev":  {"eu-west-1", "/aws/eks/c1/dev/containers"},
		"prod": {"us-east-1", "/aws/eks/c1-prod/prod/containers"},
	} {
		objs, warns, errs := componenttest.Render(t, fluentbit.New(componenttest.Resolver(t)), componenttest.Plan(t, set, env))
		if errs != nil {
			t.Fatal(errs)
		}
		fixture := false
		for _, w := range warns {
			fixture = fixture || strings.Contains(w.Message, "fixture")
		}
		if !fixture {
			t.Errorf("want the fixture warning, got %v", warns)
		}
		if ds := componenttest.Find(objs, "DaemonSet", "kube-system", "aws-for-fluent-bit"); version != "" &&
			(ds == nil || ds.GetLabels()["helm.sh/chart"] != "aws-for-fluent-bit-"+version) {
			t.Errorf("%s: the DaemonSet is not of chart %s", env, version)
		}
		conf := config(t, objs)
		for _, line := range []string{
			"region               " + want[0] + "\n",
			"log_group_name       " + want[1] + "\n",
			"Path                 /var/log/containers/*.log\n",
			"Exclude_Path /var/log/containers/*spark*.log,/var/log/containers/*datadog*.log,/var/log/containers/*emr*.log\n",
			"multiline.parser     docker, cri\n",
			"Mem_Buf_Limit        5MB\n",
			"DB                   /var/log/flb_kube.db\n",
		} {
			if !strings.Contains(conf, line) {
				t.Errorf("%s: fluent-bit.conf lacks %q:\n%s", env, line, conf)
			}
		}
		// The chart's default templates would win over log_group_name.
		if strings.Contains(conf, "_template") {
			t.Errorf("%s: a log group or stream template overrides the environment's log group:\n%s", env, conf)
		}
		for _, o := range objs {
			if ns := o.GetNamespace(); ns != "" && ns != "kube-system" {
				t.Errorf("%s %s in %s", o.GetKind(), o.GetName(), ns)
			}
			if o.GetKind() == "Namespace" {
				t.Error("rendered the kube-system Namespace")
			}
		}
		sa := componenttest.Find(objs, "ServiceAccount", "kube-system", "aws-for-fluent-bit")
		if sa == nil || sa.GetAnnotations()[fluentbit.RoleArnAnnotation] != "arn:aws:iam::1:role/fluent-bit" {
			t.Errorf("%s: no IRSA annotation", env)
		}
	}
	// No excludes, a log group of the platform's own.
	objs, _, errs := componenttest.Render(t, fluentbit.New(componenttest.Resolver(t)), componenttest.Plan(t,
		componenttest.Set(t, componenttest.Platform+"  components:\n    fluent-bit:\n      logGroupName: /flink/logs\n"), "dev"))
	if errs != nil {
		t.Fatal(errs)
	}
	if conf := config(t, objs); strings.Contains(conf, "Exclude_Path") || !strings.Contains(conf, "log_group_name       /flink/logs\n") {
		t.Errorf("defaults:\n%s", conf)
	}
}

// TestServiceMonitorFollowsCapabilities: the chart renders a ServiceMonitor
// only when the platform says the cluster serves monitoring.coreos.com/v1.
func TestServiceMonitorFollowsCapabilities(t *testing.T) {
	for _, withAPI := range []bool{false, true} {
		platform := componenttest.Platform
		if withAPI {
			platform += "  apiVersions: [monitoring.coreos.com/v1]\n"
		}
		objs, _, errs := componenttest.Render(t, fluentbit.New(componenttest.Resolver(t)), componenttest.Plan(t, componenttest.Set(t, platform), "dev"))
		if errs != nil {
			t.Fatal(errs)
		}
		if got := componenttest.Find(objs, "ServiceMonitor", "kube-system", "aws-for-fluent-bit") != nil; got != withAPI {
			t.Errorf("apiVersions has monitoring.coreos.com/v1: %v; ServiceMonitor rendered: %v", withAPI, got)
		}
	}
}

func TestGoldenExample(t *testing.T) {
	componenttest.GoldenExample(t, func(r *source.Resolver) component.Renderer { return fluentbit.New(r) })
}

// TestToleratesJobNodePools: every job NodePool taints its nodes with the
// key krm-flink.io/nodepool, so the log DaemonSet must tolerate that key or
// no Flink log is shipped; the user's own tolerations are kept beside it.
func TestToleratesJobNodePools(t *testing.T) {
	poolToleration := map[string]any{"key": "krm-flink.io/nodepool", "operator": "Exists", "effect": "NoSchedule"}
	userToleration := map[string]any{"key": "dedicated", "operator": "Equal", "value": "logs", "effect": "NoExecute"}
	for name, tc := range map[string]struct {
		components string
		want       []any
	}{
		"default": {want: []any{poolToleration}},
		"user tolerations kept": {
			components: "  components:\n    fluent-bit:\n      values:\n        tolerations:\n          - {key: dedicated, operator: Equal, value: logs, effect: NoExecute}\n",
			want:       []any{userToleration, poolToleration},
		},
		"already tolerated": {
			components: "  components:\n    fluent-bit:\n      values:\n        tolerations:\n          - {key: krm-flink.io/nodepool, operator: Exists, effect: NoSchedule}\n",
			want:       []any{poolToleration},
		},
	} {
		t.Run(name, func(t *testing.T) {
			set := componenttest.Set(t, componenttest.Platform+tc.components)
			objs, _, errs := componenttest.Render(t, fluentbit.New(componenttest.Resolver(t)), componenttest.Plan(t, set, "dev"))
			if errs != nil {
				t.Fatal(errs)
			}
			ds := componenttest.Find(objs, "DaemonSet", "kube-system", "aws-for-fluent-bit")
			if ds == nil {
				t.Fatal("no DaemonSet")
			}
			got, _, _ := unstructured.NestedSlice(ds.Object, "spec", "template", "spec", "tolerations")
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("tolerations (-want +got):\n%s", diff)
			}
		})
	}
}
