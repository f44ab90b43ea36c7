package manifest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/fn/internal/yaml11"
)

// sameAsYAML checks parseLines against yaml.v3 (decodeYAML) when it takes
// a document, and reports whether it did.
func sameAsYAML(t testing.TB, name, doc string) bool {
	t.Helper()
	got, ok := parseLines(doc)
	if !ok {
		return false
	}
	d := decodeYAML([]byte(doc))
	if d.Err != nil || len(d.Maps) != 1 {
		t.Errorf("%s: parseLines took a document yaml.v3 reads as %d documents, error %v:\n%s", name, len(d.Maps), d.Err, doc)
		return true
	}
	if !reflect.DeepEqual(got, d.Maps[0]) {
		t.Errorf("%s:\n%s\nparseLines %#v\nyaml.v3    %#v", name, doc, got, d.Maps[0])
	}
	return true
}

func TestParseLinesCases(t *testing.T) {
	for _, doc := range []string{
		"a: 1\n",
		"a: 1\nb: two\nc: \"three\"\nd: 'four'\ne:\nf: {}\ng: []\nh: null\ni: true\nj: 1.5\nk: -2\n",
		"a:\n  b:\n    c: d\n  e: f\n",
		"a:\n- 1\n- b: c\n  d: e\n- - x\n  - y\n-\n- \"q\"\n",
		"a:\n  - x\n  - y\nb: z\n",
		"list:\n- name: x\n  ports:\n  - 1\n  - 2\n  env: {}\n- name: y\n",
		"# comment\na: 1\n  # indented comment\n\nb: 2\n",
		"a: b c  d\nurl: http://x:80/y\nhash: a#b\nq: \"say \\\"hi\\\"\\n\\u00e9\"\ns: 'it''s'\n",
		"\"quoted key\": 1\n'single': 2\n\"\": 3\n",
		"a: yes\n", "a: 0o17\n", "a: 2001-12-14\n", "a: 1_000\n", "a: .5\n", "a: 1.\n", "a: ~\n", "a: -\n", "a: - b\n",
		"a: b: c\n", "a: b # c\n", "a: |\n  x\n", "a: &x 1\n", "a: !t x\n", "a: [1, 2]\n", "a: {b: c}\n",
		"a: 1\na: 2\n", "a: \"x\" y\n", "a: \"open\n", "a\n", "- a\n", "a: 1\n b: 2\n", "a:\n  - x\n  b: y\n",
		"a: 1\n---\nb: 2\n", "\ta: 1\n", "a: b\r\n", "on: 1\n", "1: a\n", "a:b\n", "key : v\n",
		"a: \"\\t\\x41\"\n", "a: \"\\ud800\"\n", "a: 2048m\nb: 1Gi\nc: 500m\nd: v1.2.3\ne: 10.0.0.1\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    app.kubernetes.io/name: x\ndata:\n  k: v\n",
	} {
		sameAsYAML(t, fmt.Sprintf("%q", doc), doc)
	}
}

// TestParseLinesCorpus runs every golden file and fixture chart output
// through both readers, and checks the line reader takes most of them.
func TestParseLinesCorpus(t *testing.T) {
	taken, total := 0, 0
	err := filepath.WalkDir(filepath.Join("..", "..", "testdata"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		total++
		if sameAsYAML(t, p, string(data)) {
			taken++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("parseLines took %d of %d files", taken, total)
	if taken*2 < total {
		t.Errorf("parseLines took only %d of %d files", taken, total)
	}
}

// FuzzParseLines writes random objects with yaml11.Marshal (what
// sigs.k8s.io/yaml writes, what toYaml puts in templates), mangles them a
// little, and compares both readers whenever the line reader takes one.
func FuzzParseLines(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint8(0))
	f.Add([]byte("apiVersion: v1\nkind: A\n"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, mangle uint8) {
		g := &valueGen{data: data}
		v := g.value(0)
		m, ok := v.(map[string]any)
		if !ok {
			m = map[string]any{"root": v}
		}
		b, err := yaml11.Marshal(m)
		if err != nil {
			return
		}
		doc := string(b)
		switch mangle % 6 {
		case 1:
			doc = strings.ReplaceAll(doc, "\n", "\n# c\n")
		case 2:
			doc = strings.ReplaceAll(doc, ": ", ":   ")
		case 3:
			doc = strings.ReplaceAll(doc, "- ", "-   ")
		case 4:
			if len(data) > 0 {
				i := int(data[0]) % len(doc)
				doc = doc[:i] + string(data[len(data)/2:]) + doc[i:]
			}
		case 5:
			doc = strings.ReplaceAll(doc, "\n  ", "\n    ")
		}
		sameAsYAML(t, "fuzz", doc)
		// Raw bytes as well.
		sameAsYAML(t, "raw", string(data))
	})
}

type valueGen struct {
	data []byte
	i    int
}

func (g *valueGen) next() int {
	if g.i >= len(g.data) {
		return 0
	}
	g.i++
	return int(g.data[g.i-1])
}

var words = []string{"", "a", "yes", "true", "null", "1", "-1", "1.5", "1e3", "0o7", "2001-12-14", "a b", "a: b", "a #b",
	"#a", "'q'", "\"d\"", "x\ny", " lead", "trail ", "-", "- x", "[x]", "{}", "é", "app.kubernetes.io/name", "2048m",
	"http://x:80/", "a'b", `a"b`, `back\slash`, "*", "&a", "!t", "%", "@", "?", ":", "a:", "~", "<<", "on", "Y"}

func (g *valueGen) str() string {
	n := g.next()
	if n < 220 {
		return words[n%len(words)]
	}
	var b strings.Builder
	for k := g.next() % 20; k > 0; k-- {
		b.WriteByte(byte(0x20 + g.next()%0x5f))
	}
	return b.String()
}

func (g *valueGen) value(depth int) any {
	n := g.next()
	if depth > 4 {
		n %= 6
	}
	switch n % 10 {
	case 0:
		return nil
	case 1:
		return n%2 == 0
	case 2:
		return float64(g.next() - 100)
	case 3, 4, 5:
		return g.str()
	case 6, 7:
		m := map[string]any{}
		for k := g.next() % 4; k > 0; k-- {
			m[g.str()] = g.value(depth + 1)
		}
		return m
	default:
		l := []any{}
		for k := g.next() % 4; k > 0; k-- {
			l = append(l, g.value(depth+1))
		}
		return l
	}
}
