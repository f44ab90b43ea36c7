package input

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/problem"
)

const job = `apiVersion: krm-flink.io/v1alpha1
kind: FlinkJobSpec
metadata: {name: orders, namespace: shop}
spec: {owner: shop, jarURI: "local:///x.jar"}
`

func messages(l problem.List) string {
	l.Sort()
	return l.Error()
}

func TestSplitDocuments(t *testing.T) {
	cases := map[string]struct {
		in      string
		docs    int
		problem string
	}{
		"one":                 {job, 1, ""},
		"two with separators": {"---\n" + job + "---\n" + job + "---\n", 2, ""},
		"comments only":       {"# nothing\n---\n# here\n", 0, "holds no objects"},
		"empty":               {"", 0, "holds no objects"},
		"a list":              {"- a\n- b\n", 0, "is not a YAML mapping"},
		"a scalar":            {"hello\n", 0, "is not a YAML mapping"},
		"bad yaml":            {"a: [b\n", 0, "is not valid YAML"},
		"tab indent":          {"a:\n\tb: c\n", 0, "is not valid YAML"},
		"duplicate key":       {"a: 1\na: 2\n", 0, `key "a" is given twice (lines 1 and 2)`},
		"nested duplicate":    {"spec:\n  x: [{k: 1, k: 2}]\n", 0, "spec.x[0].k"},
		"alias bomb":          {aliasBomb(), 0, "document 1"},
		"oversized document":  {"a: " + strings.Repeat("x", MaxDocumentBytes) + "\n", 0, "more than the"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			docs, probs := SplitDocuments("f.yaml", []byte(tc.in))
			if tc.problem == "" {
				if len(probs) > 0 || len(docs) != tc.docs {
					t.Fatalf("docs %d, problems: %v", len(docs), probs)
				}
				return
			}
			if len(probs) == 0 || !strings.Contains(messages(probs), tc.problem) || !strings.HasPrefix(messages(probs), "f.yaml: ") {
				t.Fatalf("want a problem about f.yaml containing %q, got %v", tc.problem, probs)
			}
		})
	}
}

func TestSplitDocumentsDropping(t *testing.T) {
	dropKpt := func(k string) bool { return strings.HasPrefix(k, "kpt/") }
	cases := map[string]struct {
		in, json string
	}{
		"bookkeeping and user annotations": {
			"kind: K\nmetadata:\n  name: a\n  annotations: {kpt/path: a.yaml, team: x, kpt/index: '0'}\n",
			`{"kind":"K","metadata":{"name":"a","annotations":{"team":"x"}}}`,
		},
		"only bookkeeping: annotations go": {
			"kind: K\nmetadata:\n  annotations: {kpt/path: a.yaml}\n  name: a\n",
			`{"kind":"K","metadata":{"name":"a"}}`,
		},
		"no annotations":   {"kind: K\nmetadata: {name: a}\n", `{"kind":"K","metadata":{"name":"a"}}`},
		"no metadata":      {"kind: K\n", `{"kind":"K"}`},
		"annotations null": {"kind: K\nmetadata: {annotations: null}\n", `{"kind":"K","metadata":{"annotations":null}}`},
		"spec annotations are not metadata's": {
			"kind: K\nspec:\n  annotations: {kpt/path: a.yaml}\n",
			`{"kind":"K","spec":{"annotations":{"kpt/path":"a.yaml"}}}`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			docs, probs := SplitDocumentsDropping("f.yaml", []byte(tc.in), dropKpt)
			if len(probs) > 0 || len(docs) != 1 {
				t.Fatalf("docs %d, problems: %v", len(docs), probs)
			}
			var got bytes.Buffer
			if err := json.Compact(&got, docs[0].JSON); err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.json {
				t.Errorf("got  %s\nwant %s", got.String(), tc.json)
			}
		})
	}
}

// aliasBomb is the "billion laughs" of YAML: nine levels of nine aliases.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		b.WriteString("a")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(": &a")
		b.WriteString(string(rune('0' + i)))
		b.WriteString(" [")
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a")
			b.WriteString(string(rune('0' + i - 1)))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestStrictDecodeReportsPaths(t *testing.T) {
	cases := map[string]string{
		"unknown field":    "spec: {owner: a, jarURI: x, colour: blue}",
		"nested unknown":   "spec: {owner: a, jarURI: x, nodes: {limits: {gpu: 1}}}",
		"wrong type":       "spec: {owner: a, jarURI: x, parallelism: many}",
		"wrong list type":  "spec: {owner: a, jarURI: x, args: yes}",
		"wrong map type":   "spec: {owner: a, jarURI: x, flinkConfiguration: [a]}",
		"env wrong type":   "spec: {owner: a, jarURI: x, environments: []}",
		"metadata unknown": "spec: {owner: a, jarURI: x}\nstatus: {}",
	}
	want := map[string]string{
		"unknown field":    "spec.colour: unknown field",
		"nested unknown":   "spec.nodes.limits.gpu: unknown field",
		"wrong type":       "spec.parallelism: wrong type: got string, want an integer",
		"wrong list type":  "spec.args: wrong type: got string, want a list",
		"wrong map type":   "spec.flinkConfiguration: wrong type: got array, want a mapping",
		"env wrong type":   "spec.environments: wrong type: got array, want a mapping",
		"metadata unknown": "status: unknown field",
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			in := "apiVersion: krm-flink.io/v1alpha1\nkind: FlinkJobSpec\nmetadata: {name: j, namespace: n}\n" + body + "\n"
			docs, probs := SplitDocuments("j.yaml", []byte(in))
			if len(probs) > 0 {
				t.Fatal(probs)
			}
			_, probs = DecodeJob(docs[0])
			got := messages(probs)
			if !strings.Contains(got, "j.yaml: FlinkJobSpec n/j: "+want[name]) {
				t.Errorf("got %q\nwant it to contain %q", got, want[name])
			}
		})
	}
}

func TestCollect(t *testing.T) {
	platform := "apiVersion: krm-flink.io/v1alpha1\nkind: FlinkPlatform\nmetadata: {name: p}\nspec: {clusterName: c, region: r, environments: [{name: dev}]}\n"
	docs := func(files map[string]string) []*Document {
		var out []*Document
		for name, body := range files {
			d, probs := SplitDocuments(name, []byte(body))
			if len(probs) > 0 {
				t.Fatal(probs)
			}
			out = append(out, d...)
		}
		return out
	}
	set, probs := Collect(docs(map[string]string{"p.yaml": platform, "b.yaml": job, "a.yaml": strings.Replace(job, "orders", "alpha", 1)}), Options{})
	if len(probs) > 0 || set.Platform == nil || len(set.Jobs) != 2 || set.Jobs[0].Metadata.Name != "alpha" {
		t.Fatalf("set %+v, problems %v", set, probs)
	}
	_, probs = Collect(docs(map[string]string{"p.yaml": platform, "a.yaml": job, "b.yaml": job}), Options{})
	if got := messages(probs); !strings.Contains(got, "b.yaml: FlinkJobSpec shop/orders: metadata.name: duplicate job: shop/orders is already defined in a.yaml") {
		t.Errorf("duplicate across files: %s", got)
	}
	_, probs = Collect(docs(map[string]string{"a.yaml": job}), Options{})
	if got := messages(probs); !strings.Contains(got, "no FlinkPlatform found") {
		t.Errorf("missing platform: %s", got)
	}
	_, probs = Collect(docs(map[string]string{"p.yaml": platform, "x.yaml": "apiVersion: krm-flink.io/v2\nkind: FlinkJobSpec\nmetadata: {name: x}\n"}), Options{})
	if got := messages(probs); !strings.Contains(got, `unsupported apiVersion "krm-flink.io/v2"`) {
		t.Errorf("wrong version: %s", got)
	}
}

// TestCollectDuplicates: an object defined twice is reported once, at the
// file that sorts last, for every kind Collect keeps.
func TestCollectDuplicates(t *testing.T) {
	platform := "apiVersion: krm-flink.io/v1alpha1\nkind: FlinkPlatform\nmetadata: {name: p}\nspec: {clusterName: c, region: r, environments: [{name: dev}]}\n"
	sessionJob := "apiVersion: krm-flink.io/v1alpha1\nkind: FlinkSessionJobSpec\nmetadata: {name: report, namespace: bi}\nspec: {session: s, owner: bi, jarURI: \"s3://b/r.jar\"}\n"
	configMap := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: bi}\ndata: {a: b}\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"job in two files", map[string]string{"a.yaml": job, "b.yaml": job},
			"b.yaml: FlinkJobSpec shop/orders: metadata.name: duplicate job: shop/orders is already defined in a.yaml"},
		{"session job in one file", map[string]string{"a.yaml": sessionJob + "---\n" + sessionJob},
			"a.yaml: FlinkSessionJobSpec bi/report: metadata.name: duplicate session job: bi/report is already defined in the same file"},
		{"object in two files", map[string]string{"b.yaml": configMap, "a.yaml": configMap},
			"b.yaml: ConfigMap bi/settings: metadata.name: duplicate object: already defined in a.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var docs []*Document
			tc.files["p.yaml"] = platform
			for name, body := range tc.files {
				d, probs := SplitDocuments(name, []byte(body))
				if len(probs) > 0 {
					t.Fatal(probs)
				}
				docs = append(docs, d...)
			}
			_, probs := Collect(docs, Options{})
			if got := messages(probs); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
