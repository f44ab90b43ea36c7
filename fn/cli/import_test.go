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
// the written FlinkJobSpecs, rendered by `krm-flink render` from the files
// with the platform, give back each original FlinkDeployment's metadata
// and spec plus only the platform's documented additions. The only lost
// fields are those --allow-loss warned about.
func TestImportRoundTrip(t *testing.T) {
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
			originals, probs := importer.Read([]string{c.input}, namespaceFlag(c.args))
			if probs.HasErrors() {
				t.Fatal(probs)
			}
			if len(originals) == 0 {
				t.Fatal("the case has no FlinkDeployment")
			}
			for _, o := range originals {
				p := filepath.Join(overlays, env, "workloads", "jobs", o.Namespace(), "flinkdeployment-"+o.Name()+".yaml")
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatalf("%s/%s was not rendered: %v", o.Namespace(), o.Name(), err)
				}
				var rendered map[string]any
				if err := yaml.Unmarshal(data, &rendered); err != nil {
					t.Fatal(err)
				}
				for _, d := range importer.Lost(importer.Compare(o.Data, rendered)) {
					warned := "FlinkDeployment " + o.Namespace() + "/" + o.Name() + ": " + d.Path + ": "
					if !strings.Contains(stderr, warned) {
						t.Errorf("%s/%s: %s lost without a warning: %s", o.Namespace(), o.Name(), d.Path, d.Describe())
					}
				}
			}
		})
	}
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
// specs that render the same FlinkDeployments, field for field: import
// --check finds nothing to change for any job of the example platform.
func TestImportOfRenderedOverlays(t *testing.T) {
	platform := filepath.Join(repoRoot, "examples", "platform")
	for _, env := range []string{"prod", "staging"} {
		t.Run(env, func(t *testing.T) {
			out := t.TempDir()
			if code, _, stderr := run(t, "render", "-f", platform, "--env", env, "-o", out); code != 0 {
				t.Fatalf("render: exit %d:\n%s", code, stderr)
			}
			// The whole overlay: the ServiceAccounts give the jobs' IAM roles.
			code, stdout, stderr := run(t, "import", "-f", filepath.Join(out, env),
				"--platform", filepath.Join(platform, "platform.yaml"), "--env", env, "--check")
			if code != 0 {
				t.Fatalf("import --check: exit %d:\n%s", code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if len(lines) < 2 {
				t.Fatalf("want a line per job, got:\n%s", stdout)
			}
			for _, l := range lines {
				if !strings.HasSuffix(l, ": safe: no change") {
					t.Errorf("a rendered job would change: %s", l)
				}
			}
		})
	}
}
