package input

import (
	"strings"
	"testing"
)

// TestYAMLErrorLine: a syntax error names the line the problem is on,
// counted from 1 as an editor counts.
func TestYAMLErrorLine(t *testing.T) {
	tests := map[string]struct{ doc, want string }{
		"unclosed flow list":    {"a: 1\nb: [x, y\nc: 2\n", "line 2: did not find expected ',' or ']'"},
		"unclosed flow mapping": {"a: 1\nb: {x: 1\nc: 2\n", "line 2: did not find expected ',' or '}'"},
		"outdented key":         {"a:\n  b: 1\n c: 2\n", "line 3: did not find expected key"},
		"list then mapping":     {"- a\nb: 1\n", "line 2: did not find expected '-' indicator"},
		"scanner error":         {"a: 1\n b: 2\n", "line 2: mapping values are not allowed in this context"},
		"tab":                   {"a: 1\n\tb: 2\n", "line 2: found a tab character"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, probs := SplitDocuments("f.yaml", []byte(tc.doc))
			if len(probs) != 1 || !strings.Contains(probs[0].Message, tc.want) {
				t.Errorf("got %v, want a problem containing %q", probs, tc.want)
			}
		})
	}
}
