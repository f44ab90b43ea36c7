package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"

	"github.com/krm-flink/krm-flink/internal/output"
	"github.com/krm-flink/krm-flink/internal/planner"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

// TestGoldenPlan renders every testdata/plan case's base/ inputs to a temp
// folder, plans its head/ inputs (base/ again when there is none) against
// it and compares each format with expected.{txt,md,json}.
func TestGoldenPlan(t *testing.T) {
	root := filepath.Join(repoRoot, "testdata", "plan")
	for _, name := range caseDirs(t, root) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(root, name)
			out := t.TempDir()
			args := caseArgs(t, dir)
			base := filepath.Join(dir, "base")
			if code, _, stderr := run(t, append([]string{"render", "-f", base, "-o", out}, args...)...); code != 0 {
				t.Fatalf("render base: exit %d:\n%s", code, stderr)
			}
			head := filepath.Join(dir, "head")
			if _, err := os.Stat(head); os.IsNotExist(err) {
				head = base
			}
			for format, file := range map[string]string{"text": "expected.txt", "markdown": "expected.md", "json": "expected.json"} {
				code, stdout, stderr := run(t, append([]string{"plan", "-f", head, "-o", out, "--format", format}, args...)...)
				if code != 0 {
					t.Fatalf("plan --format %s: exit %d:\n%s", format, code, stderr)
				}
				compareFile(t, filepath.Join(dir, file), stdout)
			}
		})
	}
}

// TestPlanFailOn checks --fail-on exits 1 exactly when a line reaches the
// threshold, and that the plan is printed either way.
func TestPlanFailOn(t *testing.T) {
	dir := filepath.Join(repoRoot, "testdata", "plan", "example")
	out := t.TempDir()
	if code, _, stderr := run(t, "render", "-f", filepath.Join(dir, "base"), "-o", out, "--all-envs"); code != 0 {
		t.Fatalf("render: exit %d:\n%s", code, stderr)
	}
	for _, tc := range []struct {
		input, failOn string
		want          int
	}{
		{"head", "state-loss", 1},
		{"head", "restart", 1},
		{"base", "state-loss", 0},
		{"base", "restart", 0},
	} {
		code, stdout, stderr := run(t, "plan", "-f", filepath.Join(dir, tc.input), "-o", out, "--all-envs", "--fail-on", tc.failOn)
		if code != tc.want {
			t.Errorf("%s --fail-on %s: exit %d, want %d\n%s", tc.input, tc.failOn, code, tc.want, stderr)
		}
		if !strings.Contains(stdout, "prod:") {
			t.Errorf("%s --fail-on %s: no plan printed:\n%s", tc.input, tc.failOn, stdout)
		}
	}
	if code, _, stderr := run(t, "plan", "-f", filepath.Join(dir, "base"), "-o", out, "--all-envs", "--fail-on", "safe"); code != 1 || !strings.Contains(stderr, "--fail-on") {
		t.Errorf("--fail-on safe: exit %d, %s", code, stderr)
	}
}

// TestPlanBase builds a Git repository holding the overlays of the example
// case's base/ inputs, then renders head/ over them on disk and commits
// that too: --base at the first commit must plan exactly what the golden
// plan of the case says, whatever is on disk, and --base HEAD nothing.
func TestPlanBase(t *testing.T) {
	dir := filepath.Join(repoRoot, "testdata", "plan", "example")
	repoDir := t.TempDir()
	out := filepath.Join(repoDir, "deploy", "overlays")
	repo, err := git.PlainInit(repoDir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	commit := func(input, msg string, extra map[string]string) {
		t.Helper()
		if code, _, stderr := run(t, "render", "-f", filepath.Join(dir, input), "-o", out, "--all-envs"); code != 0 {
			t.Fatalf("render %s: exit %d:\n%s", input, code, stderr)
		}
		for p, data := range extra {
			p = filepath.Join(out, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
			t.Fatal(err)
		}
		sig := &object.Signature{Name: "test", Email: "test@example.com", When: time.Unix(0, 0).UTC()}
		if _, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
			t.Fatal(err)
		}
	}
	commit("base", "base overlays", nil)
	if err := repo.Storer.SetReference(plumbing.NewHashReference("refs/tags/before", mustHead(t, repo))); err != nil {
		t.Fatal(err)
	}
	// The head commit also holds the tree of an environment the platform
	// no longer has, and a file written by hand.
	commit("head", "head overlays", map[string]string{
		"retired/infrastructure/extra/demo/configmap-settings.yaml": output.Header + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: demo}\n",
		"prod/README.md": "notes\n",
	})

	plan := func(args ...string) (int, string, string) {
		t.Helper()
		return run(t, append([]string{"plan", "-f", filepath.Join(dir, "head"), "-o", out, "--all-envs"}, args...)...)
	}
	for _, rev := range []string{"HEAD~1", "before"} {
		for format, file := range map[string]string{"text": "expected.txt", "markdown": "expected.md", "json": "expected.json"} {
			code, stdout, stderr := plan("--base", rev, "--format", format)
			if code != 0 {
				t.Fatalf("--base %s --format %s: exit %d:\n%s", rev, format, code, stderr)
			}
			want, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), stdout); diff != "" {
				t.Errorf("--base %s --format %s differs from %s (-want +got):\n%s", rev, format, file, diff)
			}
		}
	}
	wantHead := `prod: no changes, 3 job(s) unchanged

retired: 1 change(s): 1 safe, 0 job(s) unchanged
  safe  ConfigMap demo/settings  removed

staging: no changes, 3 job(s) unchanged
`
	if code, stdout, stderr := plan("--base", "HEAD"); code != 0 || stdout != wantHead {
		t.Errorf("--base HEAD: exit %d, want\n%s\ngot\n%s%s", code, wantHead, stdout, stderr)
	}
	// The tree on disk plays no part: gone, it plans the same.
	if err := os.RemoveAll(filepath.Join(repoDir, "deploy")); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := plan("--base", "HEAD", "--fail-on", "restart"); code != 0 || stdout != wantHead {
		t.Errorf("--base HEAD without the folder on disk: exit %d, want\n%s\ngot\n%s%s", code, wantHead, stdout, stderr)
	}

	for _, tc := range []struct {
		name, out, rev, want string
	}{
		{"unknown revision", out, "no-such-branch", "--base no-such-branch: reference not found"},
		{"not a repository", t.TempDir(), "HEAD", "not in a Git repository"},
	} {
		code, _, stderr := run(t, "plan", "-f", filepath.Join(dir, "head"), "-o", tc.out, "--all-envs", "--base", tc.rev)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, want 1 and %q:\n%s", tc.name, code, tc.want, stderr)
		}
	}
}

func mustHead(t *testing.T, repo *git.Repository) plumbing.Hash {
	t.Helper()
	ref, err := repo.Head()
	if err != nil {
		t.Fatal(err)
	}
	return ref.Hash()
}

// TestPlanExamplePlatform is the acceptance scenario of the plan: on
// examples/platform, each change alone produces the right line and risk in
// every format, and --fail-on state-loss fails exactly the dangerous ones.
func TestPlanExamplePlatform(t *testing.T) {
	src := filepath.Join(repoRoot, "examples", "platform")
	out := t.TempDir()
	if code, _, stderr := run(t, "render", "-f", src, "-o", out, "--all-envs"); code != 0 {
		t.Fatalf("render: exit %d:\n%s", code, stderr)
	}
	newJob := `---
apiVersion: krm-flink.io/v1alpha1
kind: FlinkJobSpec
metadata: {name: fraud-scores, namespace: risk}
spec:
  owner: risk
  jarURI: local:///opt/flink/usrlib/fraud-scores.jar
`
	tests := []struct {
		name           string
		file, old, new string // one replacement in one input file
		kind, object   string // the line expected in prod, as "Kind ns/name"
		risk           planner.Risk
		action         string
		dangerous      bool
	}{
		{"bump an image", "jobs/orders.yaml", "orders-enricher:2.4.1", "orders-enricher:2.5.0",
			"FlinkDeployment", "commerce/orders-enricher", planner.Restart, "upgrade (savepoint)", false},
		{"change parallelism", "jobs/orders.yaml", "parallelism: 4", "parallelism: 6",
			"FlinkDeployment", "commerce/orders-enricher", planner.Restart, "rescale by upgrade (savepoint)", false},
		{"switch a job to stateless", "jobs/autoscaling.yaml", "upgradeMode: last-state", "upgradeMode: stateless",
			"FlinkDeployment", "analytics/autoscaling-example", planner.StateLoss, "upgradeMode last-state → stateless", true},
		{"remove a job", "jobs/orders.yaml", "", "", // drops the file's first job, orders-enricher
			"FlinkDeployment", "commerce/orders-enricher", planner.StateLoss, "removed: checkpoints and status deleted", true},
		{"change a NodePool's instance families", "platform.yaml", "instanceFamilies: [m5, m6i]", "instanceFamilies: [m6i, m7i]",
			"FlinkDeployment", "commerce/orders-enricher", planner.Restart, "nodes replaced (NodePool commerce.orders-enricher drifted)", false},
		{"add a job namespace", "jobs/autoscaling.yaml", "", newJob,
			"Namespace", "risk", planner.Safe, "namespace added", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := copyInputs(t, src)
			p := filepath.Join(in, filepath.FromSlash(tc.file))
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			edited := string(data) + tc.new
			if tc.new == "" {
				_, rest, ok := strings.Cut(string(data), "---\n")
				if !ok {
					t.Fatalf("%s has one document", tc.file)
				}
				edited = rest
			}
			if tc.old != "" {
				if !strings.Contains(string(data), tc.old) {
					t.Fatalf("%s has no %q", tc.file, tc.old)
				}
				edited = strings.Replace(string(data), tc.old, tc.new, 1)
			}
			if err := os.WriteFile(p, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			plan := func(args ...string) (int, string) {
				code, stdout, stderr := run(t, append([]string{"plan", "-f", in, "-o", out, "--all-envs"}, args...)...)
				if code > 1 || code == 1 && !strings.Contains(stderr, "plan has changes at or above") {
					t.Fatalf("plan %v: exit %d:\n%s", args, code, stderr)
				}
				return code, stdout
			}
			object := tc.kind + " " + tc.object
			_, text := plan("--format", "text")
			if !lineHas(text, tc.risk.String(), object, tc.action) {
				t.Errorf("text: no line %q %q %q:\n%s", tc.risk, object, tc.action, text)
			}
			// A new job namespace is watched: the operator restarts.
			if tc.kind == "Namespace" && !lineHas(text, "safe", "Deployment flink-operator/flink-kubernetes-operator", "the operator restarts") {
				t.Errorf("text: no operator restart:\n%s", text)
			}
			_, md := plan("--format", "markdown")
			badge := tc.risk.String()
			if tc.risk == planner.StateLoss {
				badge = "**state-loss**"
			}
			if !lineHas(md, "| "+badge+" | "+object+" | ", tc.action) {
				t.Errorf("markdown: no row %q %q %q:\n%s", badge, object, tc.action, md)
			}
			_, js := plan("--format", "json")
			var raw struct {
				Environments []struct {
					Name    string `json:"name"`
					Changes []struct {
						Kind, Namespace, Name, Risk string
						Actions                     []string
					} `json:"changes"`
				} `json:"environments"`
			}
			if err := json.Unmarshal([]byte(js), &raw); err != nil {
				t.Fatalf("json: %v\n%s", err, js)
			}
			found := false
			for _, e := range raw.Environments {
				for _, c := range e.Changes {
					name := c.Name
					if c.Namespace != "" {
						name = c.Namespace + "/" + c.Name
					}
					if e.Name == "prod" && c.Kind == tc.kind && name == tc.object && c.Risk == tc.risk.String() && strings.Contains(strings.Join(c.Actions, "; "), tc.action) {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("json: no prod change %s %s %s %q:\n%s", tc.kind, tc.object, tc.risk, tc.action, js)
			}
			code, _ := plan("--fail-on", "state-loss")
			if want := map[bool]int{true: 1, false: 0}[tc.dangerous]; code != want {
				t.Errorf("--fail-on state-loss: exit %d, want %d", code, want)
			}
		})
	}
}

// lineHas tells whether one line of s holds every part.
func lineHas(s string, parts ...string) bool {
	for _, l := range strings.Split(s, "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// copyInputs copies an input folder to a temp folder.
func copyInputs(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	for p, data := range testutil.ReadTree(t, src) {
		target := filepath.Join(dst, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}
