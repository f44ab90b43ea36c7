package v1alpha1

import (
	"regexp"
	"strings"
	"testing"
)

// TestDefaultDatadogMetricsAreGeneric: a new platform scrapes Flink's own
// job, JobManager and TaskManager health metrics, not the operators of the
// reference platform's jobs (its list stays in examples/platform).
func TestDefaultDatadogMetricsAreGeneric(t *testing.T) {
	for _, m := range DefaultDatadogMetrics {
		for _, specific := range []string{"KafkaSourceReader", "Iceberg", "ClickHouse", "datalake", "EndPointDiscovery", "_operator_"} {
			if strings.Contains(m, specific) {
				t.Errorf("default include-list entry %q names a reference-platform operator", m)
			}
		}
		if _, err := regexp.Compile(m); err != nil {
			t.Errorf("%q: %v", m, err)
		}
	}
	// Names the Prometheus reporter gives the health metrics every job has.
	for _, name := range []string{
		"flink_jobmanager_job_uptime", "flink_jobmanager_job_numRestarts",
		"flink_jobmanager_job_lastCheckpointDuration", "flink_jobmanager_job_numberOfFailedCheckpoints",
		"flink_jobmanager_numRegisteredTaskManagers", "flink_taskmanager_Status_JVM_CPU_Load",
		"flink_taskmanager_Status_JVM_Memory_Heap_Used", "flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
	} {
		found := false
		for _, m := range DefaultDatadogMetrics {
			if regexp.MustCompile("^(?:" + m + ")$").MatchString(name) {
				found = true
			}
		}
		if !found {
			t.Errorf("no default include-list entry matches %s", name)
		}
	}
}
