package support

import (
	"fmt"
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		component, version, kube string
		verdict                  Verdict
		rng                      string
	}{
		{"cert-manager", "v1.8.2", "1.29.0", Unsupported, "1.19-1.24"},
		{"cert-manager", "v1.8.2", "1.24", Supported, "1.19-1.24"},
		{"cert-manager", "v1.8.2", "v1.19.3", Supported, "1.19-1.24"},
		{"cert-manager", "v1.8.2", "1.18.0", Unsupported, "1.19-1.24"},
		{"cert-manager", "1.18.2", "1.33.1", Supported, "1.29-1.33"},
		{"cert-manager", "v1.99.0", "1.29.0", NotListed, ""},
		{"cert-manager", "~1.8", "1.29.0", NotAVersion, ""},
		{"karpenter", "0.34.0", "1.29.0", Supported, "1.23-1.29"},
		{"karpenter", "0.34.0", "1.30.0", Unsupported, "1.23-1.29"},
		{"karpenter", "1.0.4", "1.31.0", Unsupported, "1.25-1.30"},
		{"karpenter", "1.0.5", "1.31.0", Supported, "1.25-1.31"},
		{"karpenter", "1.14.1", "1.36.0", Supported, "1.26-1.36"},
		{"karpenter", "0.20.0", "1.24.0", NotListed, ""},
		{"flink-operator", "1.7.0", "1.29.0", NoRange, ""},
		{"fluent-bit", "0.1.32", "1.29.0", NoRange, ""},
	} {
		t.Run(fmt.Sprintf("%s %s on %s", tc.component, tc.version, tc.kube), func(t *testing.T) {
			r := Check(tc.component, tc.version, tc.kube)
			if r.Verdict != tc.verdict || r.Range != tc.rng {
				t.Errorf("got %s %q, want %s %q", r.Verdict, r.Range, tc.verdict, tc.rng)
			}
		})
	}
}

// TestTableIsConsistent: every release range parses, no version falls in
// two ranges, and each supported range runs from an older minor to a newer.
func TestTableIsConsistent(t *testing.T) {
	for name, c := range table {
		if c.source == "" {
			t.Errorf("%s: no source", name)
		}
		for _, rel := range c.releases {
			if _, err := semver.NewConstraint(rel.versions); err != nil {
				t.Errorf("%s %s: %v", name, rel.versions, err)
			}
			if minor(semver.MustParse(rel.min)) > minor(semver.MustParse(rel.max)) {
				t.Errorf("%s %s: range %s-%s is backwards", name, rel.versions, rel.min, rel.max)
			}
		}
		for major := uint64(0); major <= 1; major++ {
			for m := uint64(0); m <= 40; m++ {
				for _, patch := range []uint64{0, 4, 5, 9} {
					v := semver.New(major, m, patch, "", "")
					var hits []string
					for _, rel := range c.releases {
						if mustConstraint(rel.versions).Check(v) {
							hits = append(hits, rel.versions)
						}
					}
					if len(hits) > 1 {
						t.Errorf("%s %s is in %s", name, v, strings.Join(hits, " and "))
					}
				}
			}
		}
	}
}

func TestFluentBitImageEOL(t *testing.T) {
	for _, tc := range []struct {
		chart  string
		values map[string]any
		warns  bool
	}{
		{"0.1.32", nil, true},
		{"0.1.34", nil, true},
		{"0.2.0", nil, false},
		{"0.2.1", nil, false},
		{"0.1.32", map[string]any{"image": map[string]any{"tag": "3.2.1"}}, false},
		{"0.2.0", map[string]any{"image": map[string]any{"tag": "2.32.2.20240425"}}, true},
		{"0.2.0", map[string]any{"image": map[string]any{"tag": "stable"}}, false},
		{"^0.1", nil, false},
	} {
		msg := FluentBitImageEOL(tc.chart, tc.values)
		if (msg != "") != tc.warns {
			t.Errorf("chart %s values %v: %q, want a warning: %v", tc.chart, tc.values, msg, tc.warns)
		}
	}
}
