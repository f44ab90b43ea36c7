package chart

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/releaseutil"
)

// helmDocuments is what Helm's install keeps of one template's output:
// releaseutil.SplitManifests in its order, empty documents dropped.
func helmDocuments(content string) []string {
	docs := releaseutil.SplitManifests(content)
	keys := make([]string, 0, len(docs))
	for k := range docs {
		keys = append(keys, k)
	}
	sort.Sort(releaseutil.BySplitManifestsOrder(keys))
	var out []string
	for _, k := range keys {
		if d := strings.TrimSpace(docs[k]); d != "" {
			out = append(out, d)
		}
	}
	return out
}

func splitContents(content string) []string {
	var res Result
	res.split(map[string]string{"templates/t.yaml": content})
	var out []string
	for _, d := range res.Manifests {
		out = append(out, d.Content)
	}
	return out
}

var splitCases = []string{
	"",
	"  \n\t",
	"---",
	"---\n---\n",
	"a: 1",
	"a: 1\n---\nb: 2",
	"\n---\na: 1\n",
	"a: 1\n--- \nb: 2\n---   # comment\nc: 3",
	"a: 1\n---b: 2",
	"a: '---'\nb: x---y",
	"a: |\n  text\n  ---\n",
	"a: 1\r\n---\r\nb: 2",
	"  ---a",
	`{"apiVersion":"v1","kind":"List","items":[{"kind":"A","x":"\n---"}]}`,
	"{\"a\": [\n-1,\n--2]}",
	"x\n \t---",
}

// TestSplitMatchesHelm holds the split, with its shortcut for output that
// has no separator, to Helm's own SplitManifests.
func TestSplitMatchesHelm(t *testing.T) {
	for _, content := range splitCases {
		if diff := cmp.Diff(helmDocuments(content), splitContents(content)); diff != "" {
			t.Errorf("split(%q) differs from Helm's SplitManifests (-helm +split):\n%s", content, diff)
		}
	}
}

func FuzzSplitMatchesHelm(f *testing.F) {
	for _, content := range splitCases {
		f.Add(content)
	}
	f.Fuzz(func(t *testing.T, content string) {
		if diff := cmp.Diff(helmDocuments(content), splitContents(content)); diff != "" {
			t.Errorf("split(%q) differs from Helm's SplitManifests (-helm +split):\n%s", content, diff)
		}
	})
}
