package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/krm-flink/krm-flink/internal/importer"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

// importCase is one folder of testdata/import: input/ (Flink operator
// objects), args (extra flags), an optional platform.yaml (else the shared
// testdata/import/platform.yaml) and the goldens. A case with expected/
// imports: expected/ is the written tree, stdout.golden and stderr.golden
// what import prints, check.golden what import --check prints. A case
// without expected/ fails: stderr.golden is the error, nothing is written.
type importCase struct {
	dir, input, platform string
	args                 []string
}

func importCases(t *testing.T) []importCase {
	base := filepath.Join(repoRoot, "testdata", "import")
	var cases []importCase
	for _, name := range caseDirs(t, base) {
		dir := filepath.Join(base, name)
		c := importCase{dir: dir, input: filepath.Join(dir, "input"), platform: filepath.Join(dir, "platform.yaml")}
		if _, err := os.Stat(c.platform); err != nil {
			c.platform = filepath.Join(base, "platform.yaml")
		}
		if data, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
			c.args = strings.Fields(string(data))
		}
		cases = append(cases, c)
	}
	return cases
}

func (c importCase) succeeds() bool {
	_, err := os.Stat(filepath.Join(c.dir, "expected"))
	return err == nil
}

// clean makes printed paths independent of where the test runs.
func (c importCase) clean(s, out string) string {
	s = strings.ReplaceAll(s, c.input+string(filepath.Separator), "")
	s = strings.ReplaceAll(s, c.platform, "platform.yaml")
	return strings.ReplaceAll(s, out, "$OUT")
}

// TestGoldenImport imports every testdata/import case and compares the
// written tree and what import prints with the goldens; a failing case
// must leave the output folder as it was.
func TestGoldenImport(t *testing.T) {
	for _, c := range importCases(t) {
		t.Run(filepath.Base(c.dir), func(t *testing.T) {
			out := t.TempDir()
			keep := filepath.Join(out, "README.md")
			if err := os.WriteFile(keep, []byte("hand-written\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			before := testutil.ReadTree(t, out)
			args := append([]string{"import", "-f", c.input, "--platform", c.platform, "-o", out}, c.args...)
			code, stdout, stderr := run(t, args...)
			if !c.succeeds() {
				if code != 1 {
					t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
				}
				compareFile(t, filepath.Join(c.dir, "stderr.golden"), c.clean(stderr, out))
				if stdout != "" {
					compareFile(t, filepath.Join(c.dir, "stdout.golden"), c.clean(stdout, out))
				}
				if diff := cmp.Diff(before, testutil.ReadTree(t, out)); diff != "" {
					t.Errorf("a failed import changed the output folder:\n%s", diff)
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			got := testutil.ReadTree(t, out)
			if got["README.md"] != "hand-written\n" {
				t.Errorf("import touched a file it did not write")
			}
			delete(got, "README.md")
			compareTree(t, filepath.Join(c.dir, "expected"), got)
			compareFile(t, filepath.Join(c.dir, "stdout.golden"), c.clean(stdout, out))
			compareFile(t, filepath.Join(c.dir, "stderr.golden"), c.clean(stderr, out))

			// --check writes nothing and prints the plan of every job.
			checkOut := t.TempDir()
			args = append([]string{"import", "-f", c.input, "--platform", c.platform, "-o", checkOut, "--check"}, c.args...)
			code, stdout, _ = run(t, args...)
			if code != 0 {
				t.Errorf("--check: exit %d, want 0: an import that succeeds loses nothing it does not allow", code)
			}
			compareFile(t, filepath.Join(c.dir, "check.golden"), c.clean(stdout, checkOut))
			if files := testutil.ReadTree(t, checkOut); len(files) > 0 {
				t.Errorf("--check wrote %d files", len(files))
			}
		})
	}
}

// importedEnv reads the environment import names on stderr.
var importedEnv = regexp.MustCompile(`imported \d+ job\(s\) for environment (\S+) into`)

// TestImportRoundTrip is the import contract on every succeeding case:
// the written specs (FlinkJobSpec, FlinkSessionSpec, FlinkSessionJobSpec),
// rendered by `krm-flink render` from the files with the platform, give
// back each original object (FlinkDeployment, FlinkBlueGreenDeployment,
// FlinkSessionJob, FlinkStateSnapshot) as an object of its kind and name
// with its metadata and spec plus only the platform's documented
// additions. The only lost fields are those --allow-loss warned about.
func TestImportRoundTrip(t *testing.T) {
	kinds := map[string]bool{}
	for _, c := range importCases(t) {
		if !c.succeeds() {
			continue
		}
		t.Run(filepath.Base(c.dir), func(t *testing.T) {
			jobs := t.TempDir()
			args := append([]string{"import", "-f", c.input, "--platform", c.platform, "-o", jobs}, c.args...)
			code, _, stderr := run(t, args...)
			if code != 0 {
				t.Fatalf("import: exit %d:\n%s", code, stderr)
			}
			m := importedEnv.FindStringSubmatch(stderr)
			if m == nil {
				t.Fatalf("import named no environment:\n%s", stderr)
			}
			env := m[1]
			overlays := t.TempDir()
			code, _, stderr2 := run(t, "render", "-f", c.platform, "-f", jobs, "--env", env, "-o", overlays)
			if code != 0 {
				t.Fatalf("render: exit %d:\n%s", code, stderr2)
			}
			rendered := renderedObjects(t, filepath.Join(overlays, env))
			originals, probs := importer.Read([]string{c.input}, namespaceFlag(c.args))
			if probs.HasErrors() {
				t.Fatal(probs)
			}
			if len(originals) == 0 {
				t.Fatal("the case has no Flink operator object")
			}
			for _, o := range originals {
				kinds[o.Kind()] = true
				id := o.Kind() + " " + o.Namespace() + "/" + o.Name()
				r := rendered[id]
				if r == nil {
					t.Fatalf("%s was not rendered", id)
				}
				for _, d := range importer.Lost(importer.Compare(o.Data, r)) {
					if !strings.Contains(stderr, id+": "+d.Path+": ") {
						t.Errorf("%s: %s lost without a warning: %s", id, d.Path, d.Describe())
					}
				}
			}
		})
	}
	for _, k := range []string{importer.KindDeployment, importer.KindBlueGreen, importer.KindSessionJob, importer.KindSnapshot} {
		if !kinds[k] {
			t.Errorf("no succeeding import case has a %s", k)
		}
	}
}

// renderedObjects reads every object of an overlay by "kind namespace/name".
func renderedObjects(t *testing.T, dir string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for p, data := range testutil.ReadTree(t, dir) {
		if !strings.HasSuffix(p, ".yaml") {
			continue
		}
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(data), &obj); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		meta, _ := obj["metadata"].(map[string]any)
		kind, _ := obj["kind"].(string)
		ns, _ := meta["namespace"].(string)
		name, _ := meta["name"].(string)
		out[kind+" "+ns+"/"+name] = obj
	}
	return out
}

func namespaceFlag(args []string) string {
	for i, a := range args {
		if (a == "--namespace" || a == "-n") && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func TestImportFlags(t *testing.T) {
	platform := filepath.Join(repoRoot, "testdata", "import", "platform.yaml")
	input := filepath.Join(repoRoot, "testdata", "import", "kubectl-list", "input")
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct {
		args []string
		want string
	}{
		"no input":          {[]string{"import", "--platform", platform, "-o", "x"}, "no input: give -f"},
		"no platform":       {[]string{"import", "-f", input, "-o", "x"}, "no platform: give --platform"},
		"no output":         {[]string{"import", "-f", input, "--platform", platform}, "no output folder: give -o (or --check)"},
		"output is a file":  {[]string{"import", "-f", input, "--platform", platform, "-o", file}, "is a file, not a directory"},
		"unknown env":       {[]string{"import", "-f", input, "--platform", platform, "--env", "qa", "--check"}, `no environment "qa"; the platform defines prod, staging`},
		"missing input":     {[]string{"import", "-f", filepath.Join(t.TempDir(), "none"), "--platform", platform, "--env", "prod", "--check"}, "cannot read"},
		"platform not YAML": {[]string{"import", "-f", input, "--platform", file, "--check"}, "holds no objects"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, stderr, tt.want)
			}
		})
	}
}

// TestImportOfRenderedOverlays: what krm-flink renders imports back to
// specs that render the same objects, field for field: import --check
// finds nothing to change for any job, session cluster, session job,
// blue/green job or snapshot of the example platform and of the
// session-cluster render case.
func TestImportOfRenderedOverlays(t *testing.T) {
	examples := filepath.Join(repoRoot, "examples", "platform")
	session := filepath.Join(repoRoot, "testdata", "render", "session-cluster", "input")
	for _, tt := range []struct{ inputs, platform, env string }{
		{examples, filepath.Join(examples, "platform.yaml"), "prod"},
		{examples, filepath.Join(examples, "platform.yaml"), "staging"},
		{session, filepath.Join(session, "platform.yaml"), "dev"},
	} {
		t.Run(filepath.Base(filepath.Dir(tt.inputs))+"/"+tt.env, func(t *testing.T) {
			out := t.TempDir()
			if code, _, stderr := run(t, "render", "-f", tt.inputs, "--env", tt.env, "-o", out); code != 0 {
				t.Fatalf("render: exit %d:\n%s", code, stderr)
			}
			// The whole overlay: the ServiceAccounts give the jobs' IAM roles.
			code, stdout, stderr := run(t, "import", "-f", filepath.Join(out, tt.env),
				"--platform", tt.platform, "--env", tt.env, "--check")
			if code != 0 {
				t.Fatalf("import --check: exit %d:\n%s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if len(lines) < 2 {
				t.Fatalf("want a line per job, got:\n%s", stdout)
			}
			for _, l := range lines {
				if !strings.HasSuffix(l, ": safe: no change") {
					t.Errorf("a rendered object would change: %s", l)
				}
			}
		})
	}
}
