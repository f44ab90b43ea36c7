package karpenter_test

import (
	"strings"
	"testing"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart/charttest"
	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/component/componenttest"
	"github.com/krm-flink/krm-flink/internal/component/karpenter"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// TestWiring: settings.clusterName per environment, the interruption queue
// and the IRSA role; CRDs of the platform's NodePool API.
func TestWiring(t *testing.T) {
	platform := componenttest.Platform + `  components:
    karpenter:
      interruptionQueue: q1
      roleArn: arn:aws:iam::1:role/karpenter
`
	set := componenttest.Set(t, platform)
	for env, cluster := range map[string]string{"dev": "c1", "prod": "c1-prod"} {
		objs, _, errs := componenttest.Render(t, karpenter.New(componenttest.Resolver(t)), componenttest.Plan(t, set, env))
		if errs != nil {
			t.Fatal(errs)
		}
		dep := componenttest.YAML(t, objs)
		for _, want := range []string{"name: CLUSTER_NAME\n          value: " + cluster, "name: INTERRUPTION_QUEUE\n          value: q1"} {
			if !strings.Contains(dep, want) {
				t.Errorf("%s: no %q", env, want)
			}
		}
		sa := componenttest.Find(objs, "ServiceAccount", "karpenter", "karpenter")
		if sa == nil || sa.GetAnnotations()[karpenter.RoleArnAnnotation] != "arn:aws:iam::1:role/karpenter" {
			t.Errorf("%s: no IRSA annotation", env)
		}
		crd := componenttest.Find(objs, "CustomResourceDefinition", "", "nodepools.karpenter.sh")
		if crd == nil || !strings.Contains(componenttest.YAML(t, append(objs[:0:0], crd)), "name: v1\n") {
			t.Errorf("%s: no v1 NodePool CRD", env)
		}
		if componenttest.Find(objs, "Namespace", "", "karpenter") == nil {
			t.Errorf("%s: no karpenter Namespace", env)
		}
	}
}

// onV1beta1 is the test platform on karpenter.sh/v1beta1 NodePools.
var onV1beta1 = strings.Replace(componenttest.Platform, "    karpenter:\n      nodeClass:", "    karpenter:\n      apiVersion: v1beta1\n      nodeClass:", 1)

// TestV1beta1Platform: a platform on karpenter.sh/v1beta1 NodePools gets
// Karpenter 0.34.0, whose CRDs serve them.
func TestV1beta1Platform(t *testing.T) {
	objs, _, errs := componenttest.Render(t, karpenter.New(componenttest.Resolver(t)), componenttest.Plan(t, componenttest.Set(t, onV1beta1), "dev"))
	if errs != nil {
		t.Fatal(errs)
	}
	crd := componenttest.Find(objs, "CustomResourceDefinition", "", "nodepools.karpenter.sh")
	if crd == nil || !strings.Contains(componenttest.YAML(t, append(objs[:0:0], crd)), "name: v1beta1\n") {
		t.Error("no v1beta1 NodePool CRD")
	}
	if componenttest.Find(objs, "Deployment", "karpenter", "karpenter").GetAnnotations()["krm-flink.io/fixture-chart"] != "karpenter-0.34.0" {
		t.Error("not the 0.34.0 chart")
	}
}

// TestVersionMismatch: a Karpenter chart whose major version serves another
// NodePool API than the platform's is an error, whether pinned or brought
// by a local chart or a --chart override.
func TestVersionMismatch(t *testing.T) {
	v1beta1 := onV1beta1 + "  components:\n    karpenter:\n      version: 1.0.0\n"
	if probs := resolve.CheckPlatform(componenttest.Set(t, v1beta1).Platform); !probs.HasErrors() ||
		!strings.Contains(probs.Error(), "spec.components.karpenter.version") || !strings.Contains(probs.Error(), "v1beta1") {
		t.Errorf("pinned 1.0.0 on v1beta1: %v", probs)
	}
	v1 := strings.Replace(componenttest.Platform, "    karpenter:\n      nodeClass:", "    karpenter:\n      apiVersion: v1\n      nodeClass:", 1) +
		"  components:\n    karpenter:\n      version: 0.34.0\n"
	if probs := resolve.CheckPlatform(componenttest.Set(t, v1).Platform); !probs.HasErrors() {
		t.Error("pinned 0.34.0 on v1 accepted")
	}

	tgz, _ := charttest.Package(t, charttest.Fixture(t, "karpenter-v1"))
	r, err := source.New(source.Options{CacheDir: t.TempDir(), Overrides: map[string]api.ChartSource{"karpenter": {Path: tgz}}})
	if err != nil {
		t.Fatal(err)
	}
	_, warns, errs := componenttest.Render(t, karpenter.New(r), componenttest.Plan(t, componenttest.Set(t, onV1beta1), "dev"))
	if len(errs) != 1 || errs[0].Field != "--chart karpenter" || !strings.Contains(errs[0].Message, "karpenter.sh/v1") {
		t.Errorf("override 1.14.1 on v1beta1: %v", errs)
	}
	if !strings.Contains(warns.Error(), "platform pins 0.34.0") {
		t.Errorf("want a version warning: %v", warns)
	}
	local := onV1beta1 + "  components:\n    karpenter:\n      chart:\n        path: " + tgz + "\n"
	_, _, errs = componenttest.Render(t, karpenter.New(componenttest.Resolver(t)), componenttest.Plan(t, componenttest.Set(t, local), "dev"))
	if len(errs) != 1 || errs[0].Field != "spec.components.karpenter.chart" {
		t.Errorf("local 1.14.1 on v1beta1: %v", errs)
	}
}

// TestRequirementOperators: Gte and Lte, accepted against the pinned
// Karpenter 1.14.1, are an error when a --chart override brings a Karpenter
// before 1.9.0; a chart of 1.9.0 or later takes them.
func TestRequirementOperators(t *testing.T) {
	job := componenttest.Job("team", "a") + `  nodes:
    requirements:
      - {key: karpenter.k8s.aws/instance-cpu, operator: Gt, values: ["1"]}
      - {key: karpenter.k8s.aws/instance-memory, operator: Gte, values: ["8192"]}
`
	plan := componenttest.Plan(t, componenttest.Set(t, componenttest.Platform, job), "dev")
	for _, tt := range []struct {
		version string
		want    string // a fragment of the one error; "" for none
	}{
		{"1.8.2", "Karpenter 1.8.2 predates the NodePool requirement operators Gte and Lte (Karpenter 1.9.0 has them), which these jobs use: team/a spec.nodes.requirements[1] (Gte)"},
		{"1.9.0", ""},
	} {
		t.Run(tt.version, func(t *testing.T) {
			tgz, _ := charttest.Package(t, charttest.WithVersion(charttest.Fixture(t, "karpenter-v1"), tt.version))
			r, err := source.New(source.Options{CacheDir: t.TempDir(), Overrides: map[string]api.ChartSource{"karpenter": {Path: tgz}}})
			if err != nil {
				t.Fatal(err)
			}
			_, _, errs := componenttest.Render(t, karpenter.New(r), plan)
			switch {
			case tt.want == "" && len(errs) > 0:
				t.Errorf("want no error, got %v", errs)
			case tt.want != "" && (len(errs) != 1 || errs[0].Field != "--chart karpenter" || !strings.Contains(errs[0].Message, tt.want)):
				t.Errorf("want one error at --chart karpenter with %q, got %v", tt.want, errs)
			}
		})
	}
}

func TestGoldenExample(t *testing.T) {
	componenttest.GoldenExample(t, func(r *source.Resolver) component.Renderer { return karpenter.New(r) })
}
