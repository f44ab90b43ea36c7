package manifest_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/manifest"
)

// data decodes one ConfigMap whose data.k is v and returns that value.
func data(t *testing.T, v string) any {
	t.Helper()
	doc := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: " + v + "\n"
	objs, err := manifest.ParseYAML("c", []byte(doc))
	if err != nil || len(objs) != 1 {
		t.Fatalf("%q: %d objects, %v", v, len(objs), err)
	}
	return objs[0].Object["data"].(map[string]any)["k"]
}

// TestDecodeScalars pins what a scalar becomes: JSON types (a whole number
// an int64, any other number a float64, as Kubernetes reads unstructured
// objects) under YAML 1.1 rules, as kubectl and Helm read rendered manifests.
func TestDecodeScalars(t *testing.T) {
	for v, want := range map[string]any{
		`plain`:                   "plain",
		`"quoted"`:                "quoted",
		`'it''s'`:                 "it's",
		`1`:                       int64(1),
		`-12`:                     int64(-12),
		`1.5`:                     1.5,
		`1e3`:                     int64(1000),
		`0x1F`:                    int64(31),
		`"1"`:                     "1",
		`true`:                    true,
		`False`:                   false,
		`yes`:                     true, // YAML 1.1
		`off`:                     false,
		`"yes"`:                   "yes",
		`null`:                    nil,
		`~`:                       nil,
		``:                        nil,
		`0o17`:                    int64(15),
		`2001-12-14`:              "2001-12-14",
		`500Mi`:                   "500Mi",
		`v1.2.3`:                  "v1.2.3",
		"|\n    two\n    lines\n": "two\nlines\n",
		`[1, a]`:                  []any{int64(1), "a"},
		`1.0`:                     int64(1), // as kubectl reads it
		`1000000`:                 int64(1000000),
		`{a: b}`:                  map[string]any{"a": "b"},
	} {
		if got := data(t, v); !reflect.DeepEqual(got, want) {
			t.Errorf("%q decodes to %#v, want %#v", v, got, want)
		}
	}
}

func TestDecodeDocuments(t *testing.T) {
	const a = "apiVersion: v1\nkind: A\nmetadata: {name: a}\n"
	const b = "apiVersion: v1\nkind: B\nmetadata:\n  name: b\n"
	for _, tc := range []struct {
		in    string
		names []string
		err   string
	}{
		{in: ""},
		{in: "---\n"},
		{in: "# only a comment\n"},
		{in: "null\n"},
		{in: "{}\n"},
		{in: a, names: []string{"a"}},
		{in: "---\n" + a + "---\n---\n# c\n---\n" + b + "...\n", names: []string{"a", "b"}},
		{in: a + "--- # separator comment\n" + b, names: []string{"a", "b"}},
		{in: "apiVersion: v1\nkind: A\nmetadata: {name: a}\nkind: B\n", names: []string{"a"}}, // the last key wins, as in kubectl
		{in: a + "---\napiVersion: v1\nkind: A\n", err: "document 2 is not a Kubernetes object"},
		{in: a + "---\n- a\n- b\n", err: "document 2: error unmarshaling JSON"},
		{in: a + "---\njust a string\n", err: "document 2: error unmarshaling JSON"},
		{in: a + "---\n# c\n---\na: [\n", err: "document 3: error converting YAML to JSON"},
		{in: a + "--- x\n" + b, err: "document 1: invalid Yaml document separator: x"},
		{in: "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: A, metadata: {name: a}}\n- {apiVersion: v1, kind: B, metadata: {name: b}}\n", names: []string{"a", "b"}},
		{in: a + "---\n" + `{"apiVersion":"v1","kind":"ConfigMapList","metadata":{},"items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}]}`, names: []string{"a", "c"}},
		{in: "apiVersion: v1\nkind: List\nitems: []\n"},
		{in: "apiVersion: v1\nkind: Listing\nmetadata: {name: l}\nitems: [1]\n", names: []string{"l"}}, // not a list kind: an object
		{in: "apiVersion: v1\nkind: A\nmetadata: {name: a}\nitems: []\n", names: []string{"a"}},
		{in: a + "---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: A, metadata: {name: a}}\n- {kind: B}\n", err: "document 2 (List): item 2 is not a Kubernetes object"},
		{in: "apiVersion: v1\nkind: List\nitems: [x]\n", err: "document 1 (List): items member is not an object"},
		{in: "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n", err: "document 1: error converting YAML to JSON: yaml: document contains excessive aliasing"},
	} {
		objs, err := manifest.ParseYAML("c", []byte(tc.in))
		var names []string
		for _, o := range objs {
			names = append(names, o.GetName())
		}
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want one starting %q", tc.in, err, tc.err)
		case !reflect.DeepEqual(names, tc.names):
			t.Errorf("%q: objects %v, want %v", tc.in, names, tc.names)
		}
	}
}
