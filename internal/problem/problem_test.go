package problem

import (
	"slices"
	"testing"
)

func TestListErrorLeavesTheListAsItIs(t *testing.T) {
	tests := map[string]List{
		"files out of order": {
			Errorf("b.yaml", ObjectRef{}, "spec.x", "second"),
			Errorf("a.yaml", ObjectRef{}, "spec.y", "first"),
		},
		"fields out of order": {
			Errorf("a.yaml", ObjectRef{Kind: "FlinkJobSpec", Name: "j"}, "spec.z", "one"),
			Warningf("a.yaml", ObjectRef{Kind: "FlinkJobSpec", Name: "j"}, "spec.a", "two"),
		},
	}
	for name, l := range tests {
		t.Run(name, func(t *testing.T) {
			before := slices.Clone(l)
			got := l.Error()
			if !slices.Equal(l, before) {
				t.Errorf("Error() reordered the list:\n got %v\nwant %v", []Problem(l), []Problem(before))
			}
			sorted := slices.Clone(l)
			sorted.Sort()
			if want := sorted.Error(); got != want {
				t.Errorf("Error() = %q, want the sorted form %q", got, want)
			}
		})
	}
}
