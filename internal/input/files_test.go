package input

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadDocuments: files in sorted order, each once however often paths
// name it, a folder's input files only, and a missing path reported.
func TestReadDocuments(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"b.yaml":               "kind: B\n",
		"a/x.yaml":             "kind: X\n---\nkind: Y\n",
		"a/kustomization.yaml": "kind: Kustomization\n",
		"a/.hidden/h.yaml":     "kind: H\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b := filepath.Join(dir, "b.yaml")
	docs, probs := ReadDocuments([]string{b, filepath.Join(dir, "a"), b, filepath.Join(dir, "missing.yaml")})
	var kinds []string
	for _, d := range docs {
		kinds = append(kinds, d.Type.Kind)
	}
	if got := strings.Join(kinds, ","); got != "X,Y,B" {
		t.Errorf("kinds %s, want X,Y,B", got)
	}
	want := filepath.Join(dir, "missing.yaml") + ": cannot read: no such file or directory"
	if got := messages(probs); got != want {
		t.Errorf("problems\n%s\nwant\n%s", got, want)
	}
}
