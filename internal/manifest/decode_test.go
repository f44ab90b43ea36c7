package manifest_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/krm-flink/krm-flink/catalog"
	"github.com/krm-flink/krm-flink/internal/chart"
	"github.com/krm-flink/krm-flink/internal/manifest"
)

// reference is ParseYAML as it was before the fast path: every document
// decoded by yaml.v3, encoded again, and read by sigs.k8s.io/yaml.
func reference(data []byte) ([]map[string]any, error) {
	var out []map[string]any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 0; ; i++ {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if node.Kind == 0 || len(node.Content) == 0 || node.Content[0].Tag == "!!null" {
			continue
		}
		raw, err := yaml.Marshal(&node)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		obj := map[string]any{}
		if err := sigsyaml.Unmarshal(raw, &obj); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if len(obj) == 0 {
			continue
		}
		out = append(out, obj)
	}
}

// same checks that Decode gives what the reference gives for data.
func same(t testing.TB, name string, data []byte) (fast bool) {
	t.Helper()
	want, wantErr := reference(data)
	d := manifest.Decode(data)
	var got []map[string]any
	for _, m := range d.Maps {
		if len(m) > 0 {
			got = append(got, m)
		}
	}
	if wantErr != nil || d.Err != nil {
		if wantErr == nil || d.Err == nil || wantErr.Error() != d.Err.Error() {
			t.Errorf("%s: error %v, want %v", name, d.Err, wantErr)
		}
		return !d.Slow
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: decoded\n%#v\nwant\n%#v", name, got, want)
	}
	return !d.Slow
}

func TestDecodeScalars(t *testing.T) {
	values := []string{
		`plain`, `"quoted"`, `'single'`, `yes`, `no`, `on`, `off`, `y`, `n`, `Y`, `NO`, `true`, `False`, `TRUE`,
		`null`, `~`, ``, `Null`, `0`, `-0`, `1`, `-12`, `007`, `0o17`, `0x1F`, `0b101`, `-0b101`, `1_000`, `+1`,
		`123456789012345678`, `1234567890123456789012`, `9223372036854775808`, `1.5`, `-0.0`, `.5`, `1.`, `1e3`,
		`1E-7`, `1e400`, `.inf`, `-.Inf`, `.nan`, `2001-12-14`, `2001-12-14t21:59:43.10-05:00`,
		`2001-12-14 21:59:43.10 -5`, `12:30:45`, `190:20:30`, `2048m`, `500Mi`, `1Gi`, `0.5`, `10%`, `1.2.3`,
		`v1`, `/path`, `<<`, `"yes"`, `'0o17'`, `"2001-12-14"`, `"\u2028"`, `"a\u0085b"`, `"tab\there"`, `"cr\r"`,
		`"bom\ufeff"`, `"émoji 🎉"`, `"\x01"`, `!!str 12`, `!!int "12"`, `!custom x`, `&a anchored`,
		`"line1\nline2"`, `"trailing  \nspace"`, "|\n  literal\n  block\n", "|-\n  keep\n\n  gaps\n",
		"|+\n  kept\n\n", ">\n  folded\n  text\n\n  para\n", "|2\n    indented\n  less\n", `=`, `-`, `- x`,
		`"  lead"`, `'it''s'`, `@at`, `%pct`,
	}
	for _, v := range values {
		for _, doc := range []string{
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: " + v + "\n",
			"apiVersion: v1\nkind: List\nmetadata:\n  name: x\nitems:\n- " + v + "\n",
		} {
			same(t, fmt.Sprintf("%q", doc), []byte(doc))
		}
		keyDoc := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  " + strings.TrimSpace(strings.ReplaceAll(v, "\n", " ")) + ": v\n"
		same(t, fmt.Sprintf("%q", keyDoc), []byte(keyDoc))
	}
}

func TestDecodeDocuments(t *testing.T) {
	for _, doc := range []string{
		"",
		"---\n",
		"# only a comment\n",
		"---\napiVersion: v1\nkind: A\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: B\nmetadata: {name: b}\n",
		"{}\n",
		"null\n",
		"- a\n- b\n",
		"just a string\n",
		"a: &x {b: 1}\nc: *x\n",
		"a: {b: 1}\nc:\n  <<: {d: 2}\n",
		"a: 1\na: 2\n",
		"? [a, b]\n: c\n",
		"1: one\ntrue: t\n",
		"a: [1, 2.5, x, {b: c}]\n",
		"a: b\n---\n: bad: [\n",
		"a: !!binary aGVsbG8=\n",
		"a: !!timestamp 2001-12-14\n",
		"a:\n  b:\n    c:\n      d: [[[[[]]]]]\n",
		"key with spaces: value with spaces\n\"quoted key\": 'x'\n",
	} {
		same(t, fmt.Sprintf("%q", doc), []byte(doc))
	}
}

// TestDecodeCorpus decodes every YAML file the repository renders or
// holds (golden outputs, inputs, fixture charts' rendered manifests) both
// ways, and checks the fast path takes the usual documents.
func TestDecodeCorpus(t *testing.T) {
	root := filepath.Join("..", "..")
	var slow, total int
	check := func(name string, data []byte) {
		total++
		if !same(t, name, data) {
			slow++
		}
	}
	for _, dir := range []string{"testdata", "overlays", "examples"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			check(p, data)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	entries, err := fs.ReadDir(catalog.Charts, "charts")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "flink-job" {
			continue
		}
		c, err := chart.LoadFS(catalog.Charts, "charts/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		res, err := chart.Render(c, nil, chart.Options{ReleaseName: "r", Namespace: "ns", KubeVersion: "v1.29.0", IncludeCRDs: true})
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		for _, d := range append(append(res.CRDs, res.Manifests...), hookDocs(res.Hooks)...) {
			check(e.Name()+"/"+d.Source, []byte(d.Content))
		}
	}
	t.Logf("%d of %d files took the slow path", slow, total)
	if total == 0 || slow*10 > total {
		t.Errorf("%d of %d files took the slow path", slow, total)
	}
}

func hookDocs(hs []chart.Hook) []chart.Document {
	var out []chart.Document
	for _, h := range hs {
		out = append(out, h.Document)
	}
	return out
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: yes\n  b: \"1\"\n  c: 0o17\n"))
	f.Add([]byte("a: |\n  x\n   y \n\tz\nb: [1, 2.5e3, .5, 2001-12-14]\n"))
	f.Add([]byte("a: {b: 'c', d: ~, e: 1_000}\n---\nf: &g h\ni: *g\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		same(t, "fuzz", data)
	})
}
