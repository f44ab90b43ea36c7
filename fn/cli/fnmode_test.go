package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"go.yaml.in/yaml/v3"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/fn/krmfn"
	"github.com/krm-flink/krm-flink/internal/input"
)

// fnModeNotApplicable are testdata/errors cases with no function-mode
// counterpart, and why.
var fnModeNotApplicable = map[string]string{
	"no-env-flag":                      "CLI flag; the function takes its environment from an annotation",
	"out-is-a-file":                    "CLI flag; the function writes no files",
	"env-and-all-envs":                 "CLI flags",
	"unknown-flag":                     "CLI flag",
	"bad-chart-flag":                   "CLI flag",
	"unknown-chart-flag-component":     "CLI flag",
	"require-digests-flag":             "CLI flag; spec.requireDigests is its function-mode form (require-digests-platform-field)",
	"require-digests-override-ignored": "CLI flag",
	"empty-file":                       "an orchestrator hands a function no empty item",
	"two-platforms":                    "in kpt the functionConfig file is also an item: FlinkPlatform items pass through by design",
	"extra-object-managed-by-label":    "the function takes an item with this label for its own earlier output and replaces it",
	"operator-lacks-field":             "its job chart is a relative path, which a function resolves only with krm-flink.io/base-dir (testdata/fn/chart-path-base-dir); both modes run the same check in internal/render",
}

// fnModeUnparseable are cases whose input cannot make a well-formed
// ResourceList (an item that is not a mapping, bytes that are not YAML): the
// function refuses the list (exit 1, a message on stderr) before any result
// can be written, as kpt and kustomize refuse such files. A list without a
// functionConfig (no-platform) is well formed: an error result says so.
var fnModeUnparseable = map[string]bool{"malformed-yaml": true, "binary-garbage": true, "not-a-mapping": true, "many-mistakes-one-run": true}

// fnModeEnvironment picks the environment a case renders in function mode
// (the functionConfig's krm-flink.io/environment annotation); default prod.
var fnModeEnvironment = map[string]string{"unknown-env-flag": "qa",
	// dev pins the older operator; prod's problems are all dev's too.
	"extra-flink-objects-operator-version": "dev"}

var (
	goldenObject = regexp.MustCompile(`^[A-Z][A-Za-z]+ \S+$`)
	goldenField  = regexp.MustCompile(`^(spec|metadata|apiVersion|kind|data|stringData)([.\[][^ ]*)?$`)
)

// expectedProblem is one error line of a stderr.golden: its field when it
// has one, else its message (a problem about the file as a whole).
type expectedProblem struct{ field, message string }

func goldenProblems(t *testing.T, golden string) []expectedProblem {
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var out []expectedProblem
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if strings.HasPrefix(line, "warning: ") || strings.HasSuffix(line, "nothing was written") || strings.HasPrefix(line, "error: ") {
			continue
		}
		parts := strings.SplitN(line, ": ", 4)
		switch {
		case len(parts) >= 2 && goldenField.MatchString(parts[1]):
			out = append(out, expectedProblem{field: parts[1]})
		case len(parts) >= 3 && goldenObject.MatchString(parts[1]) && goldenField.MatchString(parts[2]):
			out = append(out, expectedProblem{field: parts[2]})
		case len(parts) >= 2 && goldenObject.MatchString(parts[1]):
			out = append(out, expectedProblem{message: strings.Join(parts[2:], ": ")})
		case len(parts) >= 2:
			out = append(out, expectedProblem{message: strings.Join(parts[1:], ": ")})
		default:
			out = append(out, expectedProblem{message: line})
		}
	}
	return out
}

// resourceList builds the function-mode input of a case folder: the
// FlinkPlatform as functionConfig (annotated with its file and the
// environment), every other document as an item annotated with its file,
// the way kpt hands them over. Documents are re-encoded as YAML nodes, so
// aliases stay aliases; a file that is not YAML is embedded as it is.
func resourceList(t *testing.T, dir, env string) []byte {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if _, err := os.Stat(filepath.Join(p, "Chart.yaml")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if input.IsInputFile(d.Name()) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	var config []byte
	var items [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		var docs [][]byte
		isPlatform := false
		for {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				if err.Error() != "EOF" {
					docs = [][]byte{data} // not YAML: hand it over as it is
				}
				break
			}
			if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
				docs = append(docs, encodeNode(t, &n))
				continue
			}
			m := n.Content[0]
			annotations := map[string]string{"config.kubernetes.io/path": f}
			if mappingValue(m, "kind") == api.KindPlatform {
				isPlatform = true
				annotations[api.EnvironmentAnnotation] = env
			}
			annotate(m, annotations)
			docs = append(docs, encodeNode(t, &n))
		}
		if isPlatform && config == nil && len(docs) == 1 {
			config = docs[0]
			continue
		}
		items = append(items, docs...)
	}
	var b bytes.Buffer
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n")
	if config != nil {
		b.WriteString("functionConfig:\n")
		b.Write(indent(config, "  ", "  "))
	}
	b.WriteString("items:\n")
	if len(items) == 0 {
		b.WriteString("  []\n")
	}
	for _, it := range items {
		b.Write(indent(it, "  - ", "    "))
	}
	return b.Bytes()
}

func encodeNode(t *testing.T, n *yaml.Node) []byte {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func indent(doc []byte, first, rest string) []byte {
	var b bytes.Buffer
	for i, line := range strings.Split(strings.TrimRight(string(doc), "\n"), "\n") {
		if i == 0 {
			b.WriteString(first)
		} else {
			b.WriteString(rest)
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	return b.Bytes()
}

func mappingValue(m *yaml.Node, key string) string {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1].Value
		}
	}
	return ""
}

// annotate adds annotations to a document's metadata, creating what is missing.
func annotate(doc *yaml.Node, annotations map[string]string) {
	child := func(m *yaml.Node, key string) *yaml.Node {
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.MappingNode {
				return m.Content[i+1]
			}
		}
		c := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, c)
		return c
	}
	ann := child(child(doc, "metadata"), "annotations")
	keys := make([]string, 0, len(annotations))
	for k := range annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ann.Content = append(ann.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: annotations[k], Style: yaml.DoubleQuotedStyle})
	}
}

// TestBadInputsInFunctionMode feeds every testdata/errors case (and the
// generated ones) to krm-flink as a KRM function, through the same binary
// entry point as kpt and kustomize: each must exit non-zero with an error
// result naming the same field as the CLI's golden message (or the same
// message for a problem about a whole document), and hand the items back
// as they came.
func TestBadInputsInFunctionMode(t *testing.T) {
	base := filepath.Join(repoRoot, "testdata", "errors")
	type fnCase struct{ name, input, golden string }
	var cases []fnCase
	for _, name := range caseDirs(t, base) {
		if _, na := fnModeNotApplicable[name]; na {
			continue
		}
		dir := filepath.Join(base, name)
		cases = append(cases, fnCase{name, filepath.Join(dir, "input"), filepath.Join(dir, "stderr.golden")})
	}
	for _, hc := range hostileCases() {
		if hc.name == "multi-megabyte-document" {
			continue // the same check as multi-megabyte-scalar; 30,000 list items are slow to parse under -race
		}
		root := t.TempDir()
		writeFiles(t, filepath.Join(root, "input"), hc.files(t))
		golden := filepath.Join(root, "stderr.golden")
		if err := os.WriteFile(golden, []byte(hc.want), 0o644); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, fnCase{"generated/" + hc.name, filepath.Join(root, "input"), golden})
	}
	var withResults, refused int
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := fnModeEnvironment[tc.name]
			if env == "" {
				env = "prod"
			}
			in := resourceList(t, tc.input, env)
			var stdout, stderr bytes.Buffer
			code := Main(nil, bytes.NewReader(in), &stdout, &stderr)
			if code == 0 {
				t.Fatalf("exit 0, want non-zero; output:\n%s", stdout.String())
			}
			if fnModeUnparseable[tc.name] {
				if !strings.Contains(stderr.String(), "the function input is not a ResourceList") {
					t.Errorf("stderr = %q, want the ResourceList refused", stderr.String())
				}
				refused++
				return
			}
			out, err := fn.ParseResourceList(stdout.Bytes())
			if err != nil {
				t.Fatalf("output is not a ResourceList: %v\nstderr: %s", err, stderr.String())
			}
			inRL, err := fn.ParseResourceList(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Items) != len(inRL.Items) {
				t.Errorf("%d items out, %d in: a failed run must hand the items back", len(out.Items), len(inRL.Items))
			}
			var errs []*fn.Result
			for _, r := range out.Results {
				if r.Severity == fn.Error {
					errs = append(errs, r)
				}
			}
			if len(errs) == 0 {
				t.Fatalf("no error result; results: %v", out.Results)
			}
			withResults++
			// kustomize shows only a failed function's stderr: every error is there too.
			for _, line := range krmfn.ErrorLines(errs) {
				if !strings.Contains(stderr.String(), line+"\n") {
					t.Errorf("stderr lacks %q:\n%s", line, stderr.String())
				}
			}
			for _, want := range goldenProblems(t, tc.golden) {
				found := false
				for _, r := range errs {
					msg := sizeInMessage.ReplaceAllString(r.Message, "is N bytes")
					if want.field != "" && r.Field != nil && r.Field.Path == want.field ||
						want.field == "" && (msg == want.message || strings.HasPrefix(want.message, "no FlinkPlatform found") && strings.Contains(r.Message, "no functionConfig")) {
						found = true
					}
				}
				if !found {
					t.Errorf("no error result for %+v; results:\n%s", want, results(errs))
				}
			}
		})
	}
	t.Logf("function mode: %d bad inputs give error results, %d refused as a ResourceList (exit 1); %d CLI-only or not applicable",
		withResults, refused, len(fnModeNotApplicable))
}

func results(rs []*fn.Result) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString("  " + r.String() + "\n")
	}
	return b.String()
}
