package naming

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

func TestFit(t *testing.T) {
	cases := map[string]struct {
		max   int
		parts []string
		want  string
	}{
		"short stays":    {63, []string{"a", "b"}, "a-b"},
		"exact limit":    {5, []string{"ab", "cd"}, "ab-cd"},
		"cut and hashed": {20, []string{strings.Repeat("x", 30)}, "xxxxxxxxx-" + hash(strings.Repeat("x", 30))},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := Fit(tc.max, tc.parts...); got != tc.want || len(got) > tc.max {
				t.Errorf("Fit(%d, %q) = %q, want %q", tc.max, tc.parts, got, tc.want)
			}
		})
	}
}

func hash(s string) string { return Fit(11, s)[1:] }

// TestNodePoolNamesNeverCollide checks the property the per-job pools rely
// on: distinct (namespace, job) pairs get distinct, valid label values, even
// where naive joining collides or the result overflows 63 characters.
func TestNodePoolNamesNeverCollide(t *testing.T) {
	long := strings.Repeat("n", 63)
	pairs := [][2]string{
		{"a-b", "c"}, {"a", "b-c"}, {"a-b-c", "d"},
		{long, "job"}, {long, "jobs"}, {long[:62], "xjob"},
		{"team", strings.Repeat("j", 45)}, {"team", strings.Repeat("j", 44) + "k"},
	}
	for i := 0; i < 200; i++ {
		pairs = append(pairs, [2]string{fmt.Sprintf("ns-%d-%s", i%7, long[:40]), fmt.Sprintf("job-%d", i)})
	}
	seen := map[string][2]string{}
	for _, p := range pairs {
		name := NodePool(p[0], p[1])
		if errs := validation.IsValidLabelValue(name); len(errs) > 0 {
			t.Errorf("NodePool(%q, %q) = %q is not a label value: %v", p[0], p[1], name, errs)
		}
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			t.Errorf("NodePool(%q, %q) = %q is not an object name: %v", p[0], p[1], name, errs)
		}
		if prev, ok := seen[name]; ok {
			t.Errorf("NodePool collision: %q and %q both map to %q", prev, p, name)
		}
		seen[name] = p
	}
}
