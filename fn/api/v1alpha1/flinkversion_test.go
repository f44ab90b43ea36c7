package v1alpha1

import (
	"strings"
	"testing"
)

// TestSupportedFlinkVersions: the CRD enum of each operator release (from
// the generated facts), without the versions no release runs any more.
func TestSupportedFlinkVersions(t *testing.T) {
	old := "v1_15, v1_16, v1_17, v1_18, v1_19"
	tests := map[string]string{
		"1.7.0":  old,
		"1.9.2":  old,
		"1.10.0": old + ", v1_20",
		"1.11.0": old + ", v1_20, v2_0",
		"1.12.1": old + ", v1_20, v2_0",
		"1.13.0": old + ", v1_20, v2_0, v2_1, v2_2",
		"1.15.0": old + ", v1_20, v2_0, v2_1, v2_2",
		"1.16.0": old + ", v1_20, v2_0, v2_1, v2_2", // newer than the facts: the newest known
		"~1.15":  old + ", v1_20, v2_0, v2_1, v2_2", // not one release: the newest known
	}
	for op, want := range tests {
		if got := strings.Join(SupportedFlinkVersions(op), ", "); got != want {
			t.Errorf("%s: got %s, want %s", op, got, want)
		}
	}
}

func TestFlinkVersionHint(t *testing.T) {
	tests := map[[2]string]string{
		{"1.9.0", "v2_0"}:   "runs v1_15, v1_16, v1_17, v1_18, v1_19; v2_0 needs operator 1.11 or later",
		{"1.12.0", "v2_2"}:  "runs v1_15, v1_16, v1_17, v1_18, v1_19, v1_20, v2_0; v2_2 needs operator 1.13 or later",
		{"1.15.0", "v1_14"}: "runs v1_15, v1_16, v1_17, v1_18, v1_19, v1_20, v2_0, v2_1, v2_2",
		{"1.15.0", "v9_9"}:  "runs v1_15, v1_16, v1_17, v1_18, v1_19, v1_20, v2_0, v2_1, v2_2",
	}
	for in, want := range tests {
		got := FlinkVersionHint(in[0], in[1])
		prefix := "the Flink operator " + in[0] + " (spec.components.flink-operator.version on the FlinkPlatform) "
		if got != prefix+want {
			t.Errorf("%v: got %s, want %s", in, got, prefix+want)
		}
	}
}

func TestCompareFlinkVersions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		sign int
	}{{"v1_9", "v1_15", -1}, {"v1_15", "v1_15", 0}, {"v2_0", "v1_20", 1}, {"v1_20", "v2_0", -1}} {
		got := compareFlinkVersions(c.a, c.b)
		if got < 0 && c.sign >= 0 || got > 0 && c.sign <= 0 || got == 0 && c.sign != 0 {
			t.Errorf("compare(%s, %s) = %d, want sign %d", c.a, c.b, got, c.sign)
		}
	}
}
