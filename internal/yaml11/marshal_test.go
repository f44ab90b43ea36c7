package yaml11

import (
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"
)

// sameYAML checks Marshal against sigs.k8s.io/yaml.Marshal.
func sameYAML(t *testing.T, name string, obj map[string]any) {
	t.Helper()
	want, wantErr := sigsyaml.Marshal(obj)
	got, err := Marshal(obj)
	if (err != nil) != (wantErr != nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("%s: error %v, want %v", name, err, wantErr)
	}
	if string(got) != string(want) {
		t.Errorf("%s:\n%s\nwant\n%s", name, got, want)
	}
}

func TestMarshalYAMLValues(t *testing.T) {
	values := []any{
		nil, "", "plain", "yes", "no", "on", "true", "null", "~", "1", "0o17", "0x1F", "1_000", "1e3", ".5",
		"2001-12-14", "12:30", "- item", "key: value", "# comment", "  lead", "trail  ", "multi\nline\n",
		"multi\nline", "tab\there", "cr\r", "nul\x00", "del\x7f", "\u2028", "bad\xff", "émoji 🎉", "<<", "&a", "*a",
		"!tag", "@at", "`tick", "%pct", "{}", "[]", `"quoted"`, "'single'", "a very long string " + strings.Repeat("word ", 40),
		strings.Repeat("x", 200), true, false,
		0.0, math.Copysign(0, -1), 1.0, -1.0, 1.5, 0.1, 1e-7, 1.5e-7, 123456789.123, 1e14, 1e15, 1e20, 1e21, 1.5e300,
		float64(1 << 53), float64(1 << 63), float64(1 << 64), -float64(1 << 63), math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.NaN(), math.Inf(1), float32(1.1),
		0, 1, -1, int64(math.MaxInt64), int64(math.MinInt64), int32(7), uint64(math.MaxUint64), uint(3),
		map[string]any{}, map[string]any(nil), []any{}, []any(nil), []any{nil, 1.0, "x", []any{}, map[string]any{}},
		map[string]string{"b": "1", "a": "yes"}, []string{"x", "true"}, map[string]string(nil), []string(nil),
		map[string]any{"a10": 1.0, "a9": 2.0, "A": 3.0, "b": 4.0, "1": 5.0, "10": 6.0, "2": 7.0, "-": 8.0, "": 9.0, "<<": 10.0},
		struct{ A int }{1},
	}
	for _, v := range values {
		name := strings.ReplaceAll(sprint(v), "\n", `\n`)
		sameYAML(t, name, map[string]any{"k": v, "l": []any{v}, "m": map[string]any{"n": v}})
		// Top-level values, as Helm's toYaml passes them.
		for _, top := range []any{v, []any{v, v}} {
			want, wantErr := sigsyaml.Marshal(top)
			got, err := Marshal(top)
			if string(got) != string(want) || fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Errorf("top-level %s: %q %v, want %q %v", name, got, err, want, wantErr)
			}
		}
	}
}

func sprint(v any) string {
	b, err := sigsyaml.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// TestMarshalYAMLCorpus reads every YAML file of the repository's golden
// outputs and inputs as sigs.k8s.io/yaml does and writes it both ways.
func TestMarshalYAMLCorpus(t *testing.T) {
	n := 0
	for _, dir := range []string{"testdata", "overlays", "examples", "catalog"} {
		err := filepath.WalkDir(filepath.Join("..", "..", "..", dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			obj := map[string]any{}
			if sigsyaml.Unmarshal(data, &obj) != nil {
				return nil // not YAML (a template) or not one mapping
			}
			n++
			sameYAML(t, p, obj)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 50 {
		t.Errorf("only %d files compared", n)
	}
}

func FuzzMarshalYAML(f *testing.F) {
	f.Add([]byte("a: yes\nb: [1, 2.5, 1e21, -0.0]\nc: {d: \"x\\ty\", e: null}\n"))
	f.Add([]byte("a: |\n  multi\n  line\nb: 12345678901234567890\nc: 0.000001\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		obj := map[string]any{}
		if len(data) > 4096 || sigsyaml.Unmarshal(data, &obj) != nil {
			return
		}
		sameYAML(t, "fuzz", obj)
	})
}

// TestEmitYAMLTakesTheCorpus checks the fast emitter writes the usual
// objects itself (and, through sameYAML, that it writes them right).
func TestEmitYAMLTakesTheCorpus(t *testing.T) {
	fast, total := 0, 0
	err := filepath.WalkDir(filepath.Join("..", "..", "..", "testdata", "render"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || !strings.Contains(p, "expected") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		obj := map[string]any{}
		if sigsyaml.Unmarshal(data, &obj) != nil {
			return nil
		}
		total++
		if b, ok := emitYAML(nil, obj); ok {
			fast++
			want, _ := sigsyaml.Marshal(obj)
			if string(b) != string(want) {
				t.Errorf("%s:\n%s\nwant\n%s", p, b, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d golden files emitted directly", fast, total)
	if fast*10 < total*8 {
		t.Errorf("only %d of %d golden files emitted directly", fast, total)
	}
}

// FuzzEmitYAML builds values from the fuzzer's bytes: tricky keys and
// strings, numbers, nesting, and compares the fast emitter with
// sigs.k8s.io/yaml whenever the emitter takes the value.
func FuzzEmitYAML(f *testing.F) {
	f.Add([]byte("\x01\x02\x03abc\x04\x05"), "a b: c")
	f.Add([]byte("\x10\x20\x30\x40\x50\x60\x70\x80\x90"), "- x")
	f.Fuzz(func(t *testing.T, data []byte, s string) {
		g := &gen{data: data, str: s}
		v := g.value(0)
		m, ok := v.(map[string]any)
		if !ok {
			m = map[string]any{"root": v}
		}
		want, err := sigsyaml.Marshal(m)
		if err != nil {
			return
		}
		if got, ok := emitYAML(nil, m); ok && string(got) != string(want) {
			t.Fatalf("%#v:\n%s\nwant\n%s", m, got, want)
		}
		if got, err := Marshal(m); err != nil || string(got) != string(want) {
			t.Fatalf("Marshal %#v: %v\n%s\nwant\n%s", m, err, got, want)
		}
	})
}

type gen struct {
	data []byte
	str  string
	i    int
}

func (g *gen) next() int {
	if g.i >= len(g.data) {
		return 0
	}
	g.i++
	return int(g.data[g.i-1])
}

var tricky = []string{"", " ", "a", "yes", "No", "true", "null", "~", "1", "-1", "0x1F", "1e3", ".5", "1:20", "12:30:45",
	"2001-12-14", "- a", "-a", "a:", "a: b", "a:b", "#a", "a #b", "a#b", "'q'", `"d"`, `back\slash`, "---x", "...",
	"?", "? a", "?a", "[x]", "{x}", "a,b", "*", "&a", "!t", "|", ">", "%", "@", "`", "x ", " x", "a  b", "it's",
	"10", "a10", "a9", "A", "z", "_", "0", "00", "007", "a01", "a1", "<<", "=", "80chars" + strings.Repeat(" word", 20),
	strings.Repeat("w", 130), strings.Repeat("long-", 20)}

func (g *gen) string() string {
	switch n := g.next(); {
	case n < 200:
		return tricky[n%len(tricky)]
	case n < 230:
		return g.str
	default:
		l := g.next() % 100
		var b strings.Builder
		for j := 0; j < l; j++ {
			b.WriteByte(byte(0x20 + g.next()%0x5f))
		}
		return b.String()
	}
}

func (g *gen) value(depth int) any {
	n := g.next()
	if depth > 4 {
		n %= 8
	}
	switch n % 12 {
	case 0:
		return nil
	case 1:
		return n%2 == 0
	case 2:
		return float64(g.next()*1000 - 50000)
	case 3:
		return []float64{0.5, 1e21, 1e20, -0.0, 1.5e-7, 123456789.125, 1 << 60}[g.next()%7]
	case 4, 5, 6, 7:
		return g.string()
	case 8, 9:
		m := map[string]any{}
		for k := g.next() % 5; k > 0; k-- {
			m[g.string()] = g.value(depth + 1)
		}
		return m
	default:
		var l []any
		for k := g.next() % 4; k > 0; k-- {
			l = append(l, g.value(depth+1))
		}
		if n%2 == 0 && l == nil {
			return []any{}
		}
		return l
	}
}

// FuzzKeyLess checks the ASCII key order against yaml.v2's, through
// Marshal of a two-key map.
func FuzzKeyLess(f *testing.F) {
	f.Add("a10", "a9")
	f.Add("a01", "a1")
	f.Add("0", "00")
	f.Add("x-1", "x_1")
	f.Fuzz(func(t *testing.T, a, b string) {
		if a == b || !isASCII(a) || !isASCII(b) {
			return
		}
		if keyLessASCII(a, b) != keyLessRunes(a, b) || keyLessASCII(b, a) != keyLessRunes(b, a) {
			t.Fatalf("%q %q: ASCII order differs from yaml.v2's", a, b)
		}
		m := map[string]any{a: 1.0, b: 2.0}
		want, err := sigsyaml.Marshal(m)
		if err != nil {
			return
		}
		got, err := Marshal(m)
		if err != nil || string(got) != string(want) {
			t.Fatalf("%q %q:\n%s\nwant\n%s", a, b, got, want)
		}
	})
}
