package flinkjob_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/krm-flink/krm-flink/catalog"
	"github.com/krm-flink/krm-flink/internal/chart"
	"github.com/krm-flink/krm-flink/internal/component/componenttest"
	"github.com/krm-flink/krm-flink/internal/component/flinkjob"
)

// TestDeploymentFieldsReachTheFlinkDeployment: each job field lands at its
// FlinkDeployment path through the built-in chart, zero values included,
// and an unset one is not rendered at all. Rendered objects hold numbers as
// float64 (manifest.Decode); the largest nonce validation allows is exact.
func TestDeploymentFieldsReachTheFlinkDeployment(t *testing.T) {
	c, err := chart.LoadFS(catalog.Charts, catalog.JobChart)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		spec string
		path []string
		want any
	}{
		{"  mode: standalone\n", []string{"spec", "mode"}, "standalone"},
		{"  restartNonce: 0\n", []string{"spec", "restartNonce"}, int64(0)},
		{"  restartNonce: 9007199254740991\n", []string{"spec", "restartNonce"}, int64(9007199254740991)},
		{"  savepointTriggerNonce: 4\n", []string{"spec", "job", "savepointTriggerNonce"}, int64(4)},
		{"  checkpointTriggerNonce: 5\n", []string{"spec", "job", "checkpointTriggerNonce"}, int64(5)},
		{"  savepointRedeployNonce: 6\n", []string{"spec", "job", "savepointRedeployNonce"}, int64(6)},
		{"  autoscalerResetNonce: 7\n", []string{"spec", "job", "autoscalerResetNonce"}, int64(7)},
		{"  initialSavepointPath: s3://b/sp-1\n", []string{"spec", "job", "initialSavepointPath"}, "s3://b/sp-1"},
		{"  allowNonRestoredState: false\n", []string{"spec", "job", "allowNonRestoredState"}, false},
		{"  ingress: {template: \"{{name}}.example.com\", tls: [{secretName: t}]}\n", []string{"spec", "ingress"},
			map[string]any{"template": "{{name}}.example.com", "tls": []any{map[string]any{"secretName": "t"}}}},
		{"  logConfiguration: {logback-console.xml: \"<configuration/>\"}\n", []string{"spec", "logConfiguration"},
			map[string]any{"logback-console.xml": "<configuration/>"}},
		{"", []string{"spec", "restartNonce"}, nil},
		{"", []string{"spec", "job", "allowNonRestoredState"}, nil},
		{"", []string{"spec", "ingress"}, nil},
	} {
		set := componenttest.Set(t, componenttest.Platform, componenttest.Job("shop", "orders")+tc.spec)
		objs, _, errs := componenttest.Render(t, flinkjob.New(c), componenttest.Plan(t, set, "dev"))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		fd := componenttest.Find(objs, "FlinkDeployment", "shop", "orders")
		got, found, err := unstructured.NestedFieldNoCopy(fd.Object, tc.path...)
		if err != nil {
			t.Fatal(err)
		}
		if !found {
			got = nil
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q: %v (-want +got):\n%s", tc.spec, tc.path, diff)
		}
	}
}
