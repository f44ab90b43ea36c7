package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyInput copies a golden input folder, dropping the documents of files
// for which drop returns true, so a test can take objects out of the input.
func copyInput(t *testing.T, src string, drop func(doc string) bool) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, doc := range strings.Split(string(data), "\n---\n") {
			if !drop(doc) {
				kept = append(kept, doc)
			}
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), []byte(strings.Join(kept, "\n---\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestRemovingSessionKinds: a session job and a snapshot taken out of the
// input are stale for --check and pruned by render, which warns that the
// removed session job's state is not kept; taking out a session cluster
// that session jobs still name is an error and writes nothing.
func TestRemovingSessionKinds(t *testing.T) {
	src := filepath.Join(repoRoot, "testdata", "render", "session-cluster", "input")
	out := t.TempDir()
	if code, _, stderr := run(t, "render", "-f", src, "--all-envs", "-o", out); code != 0 {
		t.Fatal(stderr)
	}
	sessionJob := filepath.Join(out, "prod", "workloads", "jobs", "analytics", "flinksessionjob-sessions-report.yaml")
	snapshot := filepath.Join(out, "prod", "snapshots", "snapshots", "analytics", "flinkstatesnapshot-clicks-before-upgrade.yaml")
	for _, p := range []string{sessionJob, snapshot} {
		if _, err := os.Stat(p); err != nil {
			t.Fatal(err)
		}
	}

	fewer := copyInput(t, src, func(doc string) bool { return strings.Contains(doc, "name: sessions-report") })
	// The clicks session job without its snapshot.
	data, err := os.ReadFile(filepath.Join(fewer, "session.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	before, after, ok := strings.Cut(string(data), "  snapshots:\n")
	if !ok {
		t.Fatal("no snapshots in session.yaml")
	}
	_, rest, _ := strings.Cut(after, "  environments:\n")
	if err := os.WriteFile(filepath.Join(fewer, "session.yaml"), []byte(before+"  environments:\n"+rest), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "render", "-f", fewer, "--all-envs", "-o", out, "--check")
	if code != 1 || !strings.Contains(stderr, "stale:   "+sessionJob) || !strings.Contains(stderr, "stale:   "+snapshot) {
		t.Fatalf("--check: exit %d\n%s", code, stderr)
	}
	code, _, stderr = run(t, "render", "-f", fewer, "--all-envs", "-o", out)
	if code != 0 {
		t.Fatal(stderr)
	}
	if !strings.Contains(stderr, "warning: FlinkSessionJob analytics/sessions-report is removed from environment prod") {
		t.Errorf("no warning about the removed session job's state:\n%s", stderr)
	}
	for _, p := range []string{sessionJob, snapshot} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s not pruned: %v", p, err)
		}
	}

	noCluster := copyInput(t, fewer, func(doc string) bool { return strings.Contains(doc, "kind: FlinkSessionSpec") })
	code, _, stderr = run(t, "render", "-f", noCluster, "--all-envs", "-o", out)
	if code != 1 || !strings.Contains(stderr, "FlinkSessionJobSpec analytics/clicks: spec.session: no FlinkSessionSpec analytics/analytics in environment dev") {
		t.Fatalf("removing a session cluster with session jobs: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "prod", "workloads", "jobs", "analytics", "flinkdeployment-analytics.yaml")); err != nil {
		t.Errorf("the failed render touched the tree: %v", err)
	}
}
