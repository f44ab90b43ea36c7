package planner

import (
	"bytes"
	"strings"
	"testing"
)

// TestMarkdownFolds checks a table is folded only over collapseOver lines.
func TestMarkdownFolds(t *testing.T) {
	for n, want := range map[int]bool{collapseOver: false, collapseOver + 1: true} {
		e := Environment{Name: "dev"}
		for i := 0; i < n; i++ {
			e.Changes = append(e.Changes, Change{Kind: "ConfigMap", Name: "a|b", Actions: []string{"changed"}})
		}
		var b bytes.Buffer
		if err := Write(&b, Plan{Environments: []Environment{e}}, "markdown"); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(b.String(), "<details>"); got != want {
			t.Errorf("%d lines: folded %v, want %v", n, got, want)
		}
		if !strings.Contains(b.String(), `a\|b`) {
			t.Errorf("a pipe in a cell is not escaped:\n%s", b.String())
		}
	}
}
