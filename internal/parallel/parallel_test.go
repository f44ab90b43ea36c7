package parallel

import (
	"slices"
	"testing"
)

func TestMapKeepsOrder(t *testing.T) {
	in := make([]int, 1000)
	for i := range in {
		in[i] = i
	}
	got := Map(in, func(v int) int { return v * v })
	for i, v := range got {
		if v != i*i {
			t.Fatalf("out[%d] = %d, want %d", i, v, i*i)
		}
	}
	if got := Map([]int(nil), func(v int) int { return v }); len(got) != 0 {
		t.Fatalf("Map(nil) = %v, want empty", got)
	}
	if got := Map([]string{"a", "b"}, func(s string) string { return s + s }); !slices.Equal(got, []string{"aa", "bb"}) {
		t.Fatalf("got %v", got)
	}
}
