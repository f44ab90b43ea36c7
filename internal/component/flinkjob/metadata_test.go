package flinkjob_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/krm-flink/krm-flink/catalog"
	"github.com/krm-flink/krm-flink/internal/chart"
	"github.com/krm-flink/krm-flink/internal/component/componenttest"
	"github.com/krm-flink/krm-flink/internal/component/flinkjob"
)

// TestJobMetadataReachesTheFlinkDeployment: the job's labels land on the
// FlinkDeployment and its pods, its annotations on the FlinkDeployment,
// merged with what the chart writes itself and without the input-only
// ones.
func TestJobMetadataReachesTheFlinkDeployment(t *testing.T) {
	tests := []struct {
		name            string
		meta, spec      string
		wantAnnotations map[string]any
		wantLabel       map[string]string
	}{
		{
			name:            "none",
			wantAnnotations: nil,
			wantLabel:       map[string]string{"app.kubernetes.io/part-of": "flink"},
		},
		{
			name:            "labels and annotations",
			meta:            "  labels: {cost-center: c42, app.kubernetes.io/part-of: shop}\n  annotations: {example.com/a: x, config.kubernetes.io/local-config: \"true\"}\n",
			wantAnnotations: map[string]any{"example.com/a": "x"},
			wantLabel:       map[string]string{"cost-center": "c42", "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/name": "orders"},
		},
		{
			name:            "merged with pod-security",
			meta:            "  annotations: {example.com/a: x}\n",
			spec:            "  podSecurity: baseline\n",
			wantAnnotations: map[string]any{"example.com/a": "x", "krm-flink.io/pod-security": "baseline"},
		},
	}
	c, err := chart.LoadFS(catalog.Charts, catalog.JobChart)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := componenttest.Job("shop", "orders")
			job = strings.Replace(job, "spec:\n", tt.meta+"spec:\n", 1) + tt.spec
			set := componenttest.Set(t, componenttest.Platform, job)
			objs, _, errs := componenttest.Render(t, flinkjob.New(c), componenttest.Plan(t, set, "dev"))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			fd := componenttest.Find(objs, "FlinkDeployment", "shop", "orders")
			meta := fd.Object["metadata"].(map[string]any)
			got, _ := meta["annotations"].(map[string]any)
			if diff := cmp.Diff(tt.wantAnnotations, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("annotations (-want +got):\n%s", diff)
			}
			pod := fd.Object["spec"].(map[string]any)["podTemplate"].(map[string]any)["metadata"].(map[string]any)["labels"].(map[string]any)
			for k, v := range tt.wantLabel {
				if fd.GetLabels()[k] != v || pod[k] != v {
					t.Errorf("label %s: FlinkDeployment %q, pods %v; want %q on both", k, fd.GetLabels()[k], pod[k], v)
				}
			}
		})
	}
}
