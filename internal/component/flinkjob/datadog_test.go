package flinkjob_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/krm-flink/krm-flink/catalog"
	"github.com/krm-flink/krm-flink/internal/chart"
	"github.com/krm-flink/krm-flink/internal/component/componenttest"
	"github.com/krm-flink/krm-flink/internal/component/flinkjob"
)

// openMetricsInstances renders one job with the given annotation format
// and returns the OpenMetrics instances its pod template declares, and the
// Datadog annotation keys it carries.
func openMetricsInstances(t *testing.T, format string) ([]map[string]any, []string) {
	t.Helper()
	platform := componenttest.Platform + "  metrics:\n    datadog:\n      format: " + format + "\n      metrics: [\"flink_jobmanager_job_uptime\", \"flink_taskmanager_.*\"]\n"
	set := componenttest.Set(t, platform, componenttest.Job("shop", "orders"))
	c, err := chart.LoadFS(catalog.Charts, catalog.JobChart)
	if err != nil {
		t.Fatal(err)
	}
	objs, warns, errs := componenttest.Render(t, flinkjob.New(c), componenttest.Plan(t, set, "dev"))
	if len(errs) > 0 || len(warns) > 0 {
		t.Fatalf("errors %v, warnings %v", errs, warns)
	}
	fd := componenttest.Find(objs, "FlinkDeployment", "shop", "orders")
	ann := fd.Object["spec"].(map[string]any)["podTemplate"].(map[string]any)["metadata"].(map[string]any)["annotations"].(map[string]any)
	var keys []string
	for k := range ann {
		if strings.HasPrefix(k, "ad.datadoghq.com/"+flinkjob.MainContainer+".") {
			keys = append(keys, k)
		}
	}
	var instances []map[string]any
	switch format {
	case "v1":
		var names []string
		mustJSON(t, ann["ad.datadoghq.com/flink-main-container.check_names"], &names)
		if !cmp.Equal(names, []string{"openmetrics"}) {
			t.Errorf("check_names %v", names)
		}
		mustJSON(t, ann["ad.datadoghq.com/flink-main-container.instances"], &instances)
	case "v2":
		var checks map[string]struct {
			InitConfig map[string]any   `json:"init_config"`
			Instances  []map[string]any `json:"instances"`
		}
		mustJSON(t, ann["ad.datadoghq.com/flink-main-container.checks"], &checks)
		om, ok := checks["openmetrics"]
		if !ok || len(checks) != 1 || om.InitConfig == nil {
			t.Fatalf("checks %v: want exactly openmetrics with an init_config", checks)
		}
		instances = om.Instances
	}
	return instances, keys
}

func mustJSON(t *testing.T, v any, into any) {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("annotation %v is not a string", v)
	}
	if err := json.Unmarshal([]byte(s), into); err != nil {
		t.Fatalf("annotation %q: %v", s, err)
	}
}

// TestDatadogFormatsDeclareTheSameInstance: v1 and v2 annotations give the
// OpenMetrics check the same instance, with the namespace Datadog requires
// and the include-list unchanged, and neither format leaks the other's keys.
func TestDatadogFormatsDeclareTheSameInstance(t *testing.T) {
	v1, keys1 := openMetricsInstances(t, "v1")
	v2, keys2 := openMetricsInstances(t, "v2")
	if len(v1) != 1 {
		t.Fatalf("v1 instances %v, want one", v1)
	}
	if diff := cmp.Diff(v1, v2); diff != "" {
		t.Errorf("v1 and v2 instances differ (-v1 +v2):\n%s", diff)
	}
	want := map[string]any{
		"openmetrics_endpoint": "http://%%host%%:9999/metrics",
		"namespace":            "flink",
		"metrics":              []any{"flink_jobmanager_job_uptime", "flink_taskmanager_.*"},
	}
	if diff := cmp.Diff(want, v1[0]); diff != "" {
		t.Errorf("instance (-want +got):\n%s", diff)
	}
	p := "ad.datadoghq.com/" + flinkjob.MainContainer + "."
	wantKeys := map[string][]string{"v1": {p + "check_names", p + "init_configs", p + "instances"}, "v2": {p + "checks"}}
	for format, got := range map[string][]string{"v1": keys1, "v2": keys2} {
		if !cmp.Equal(slices.Sorted(slices.Values(got)), wantKeys[format]) {
			t.Errorf("%s annotations %v, want %v", format, got, wantKeys[format])
		}
	}
}
