package manifest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStrings(t *testing.T) {
	tests := []struct {
		in   []string
		want []any
	}{
		{nil, []any{}},
		{[]string{"b", "a"}, []any{"b", "a"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Strings(tt.in)); diff != "" {
			t.Errorf("Strings(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestStringMap(t *testing.T) {
	tests := []struct {
		in   map[string]string
		want map[string]any
	}{
		{nil, map[string]any{}},
		{map[string]string{"a": "1", "b": "2"}, map[string]any{"a": "1", "b": "2"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, StringMap(tt.in)); diff != "" {
			t.Errorf("StringMap(%v) (-want +got):\n%s", tt.in, diff)
		}
	}
}
