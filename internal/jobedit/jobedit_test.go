package jobedit

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden edits testdata/jobs.yaml (comments, blank lines, flow and
// block styles, quoting, three jobs) and compares the bytes with
// testdata/<case>.yaml; it also checks the edit touched only what it had
// to: one value in one line, or whole lines inserted.
func TestGolden(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "jobs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		edit   func([]byte) ([]byte, error)
		insert bool // whole lines are inserted, else one value replaced
	}{
		{"restart-bump", func(b []byte) ([]byte, error) {
			out, n, err := BumpNonce(b, "commerce", "orders", "restartNonce")
			return out, want(t, n, int64(42), err)
		}, false},
		{"restart-first", func(b []byte) ([]byte, error) {
			out, n, err := BumpNonce(b, "risk", "orders", "restartNonce")
			return out, want(t, n, int64(1), err)
		}, true},
		{"savepoint-nonce-first", func(b []byte) ([]byte, error) {
			out, n, err := BumpNonce(b, "commerce", "orders", "savepointTriggerNonce")
			return out, want(t, n, int64(1), err)
		}, true},
		{"redeploy-nonce-quoted", func(b []byte) ([]byte, error) {
			out, n, err := BumpNonce(b, "commerce", "audit", "savepointRedeployNonce")
			return out, want(t, n, int64(8), err)
		}, false},
		{"redeploy-path-flow", func(b []byte) ([]byte, error) {
			return SetString(b, "commerce", "audit", "initialSavepointPath", "s3://new/savepoint-1")
		}, false},
		{"redeploy-path-new-quoted", func(b []byte) ([]byte, error) {
			return SetString(b, "risk", "orders", "initialSavepointPath", "s3://b/sp: #1")
		}, true},
		{"snapshot-append", func(b []byte) ([]byte, error) {
			out, name, err := AppendSnapshot(b, "commerce", "orders", "savepoint")
			return out, want(t, name, "savepoint-8", err)
		}, true},
		{"snapshot-first-block", func(b []byte) ([]byte, error) {
			out, name, err := AppendSnapshot(b, "risk", "orders", "savepoint")
			return out, want(t, name, "savepoint-1", err)
		}, true},
		{"snapshot-first-flow", func(b []byte) ([]byte, error) {
			out, name, err := AppendSnapshot(b, "commerce", "audit", "savepoint")
			return out, want(t, name, "savepoint-1", err)
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.edit(bytes.Clone(src))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".yaml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wantOut, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if diff := cmp.Diff(string(wantOut), string(got)); diff != "" {
				t.Errorf("%s differs (-want +got):\n%s", golden, diff)
			}
			checkLocal(t, src, got, tc.insert)
		})
	}
}

func want[T comparable](t *testing.T, got, want T, err error) error {
	t.Helper()
	if err == nil && got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	return err
}

// checkLocal checks that out is src with either whole lines inserted at
// one place, or a change within a single line.
func checkLocal(t *testing.T, src, out []byte, insert bool) {
	t.Helper()
	p := 0
	for p < len(src) && p < len(out) && src[p] == out[p] {
		p++
	}
	s := 0
	for s < len(src)-p && s < len(out)-p && src[len(src)-1-s] == out[len(out)-1-s] {
		s++
	}
	removed, added := string(src[p:len(src)-s]), string(out[p:len(out)-s])
	if insert {
		// Align the insertion on line starts: the common prefix may run
		// into the inserted text's first characters (its indentation).
		lineStart := bytes.LastIndexByte(src[:p], '\n') + 1
		added = string(out[lineStart : len(out)-s])
		removed = string(src[lineStart : len(src)-s])
		if !strings.HasPrefix(added, removed) && !strings.HasSuffix(added, removed) {
			t.Errorf("not an insertion of lines: %q became %q", removed, added)
		}
		return
	}
	if strings.Contains(removed, "\n") || strings.Contains(added, "\n") {
		t.Errorf("changed across lines: %q became %q", removed, added)
	}
}

// TestChangedLineOnly checks line by line that a value edit leaves every
// other line identical, and an insertion every original line.
func TestChangedLineOnly(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "jobs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := BumpNonce(src, "commerce", "orders", "restartNonce")
	if err != nil {
		t.Fatal(err)
	}
	a, b := strings.Split(string(src), "\n"), strings.Split(string(out), "\n")
	if len(a) != len(b) {
		t.Fatalf("%d lines became %d", len(a), len(b))
	}
	var changed []int
	for i := range a {
		if a[i] != b[i] {
			changed = append(changed, i+1)
		}
	}
	if len(changed) != 1 || b[changed[0]-1] != "  restartNonce: 42 # bumped by hand once" {
		t.Errorf("changed lines %v, want only line 15 as `  restartNonce: 42 # bumped by hand once`", changed)
	}

	out, _, err = AppendSnapshot(src, "risk", "orders", "savepoint")
	if err != nil {
		t.Fatal(err)
	}
	b = strings.Split(string(out), "\n")
	inserted := []string{"    snapshots:", "      - name: savepoint-1", "        type: savepoint"}
	if diff := cmp.Diff(inserted, b[40:43]); diff != "" {
		t.Errorf("lines 41-43 (-want +got):\n%s", diff)
	}
	kept := append(b[:40:40], b[43:]...)
	if diff := cmp.Diff(a, kept); diff != "" {
		t.Errorf("the original lines changed (-want +got):\n%s", diff)
	}
}

func TestErrors(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "jobs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := BumpNonce(src, "commerce", "nope", "restartNonce"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown job: %v, want ErrNotFound", err)
	}
	bad := []byte("apiVersion: krm-flink.io/v1alpha1\nkind: FlinkJobSpec\nmetadata: {name: a, namespace: b}\nspec:\n  restartNonce: soon\n  snapshots: [{name: x}]\n  initialSavepointPath: |\n    s3://a\n")
	for name, err := range map[string]error{
		"spec.restartNonce: \"soon\" is not an integer": second(BumpNonce(bad, "b", "a", "restartNonce")),
		"spec.snapshots: a flow list":                   second(AppendSnapshot(bad, "b", "a", "savepoint")),
		"spec.initialSavepointPath: not a one-line":     func() error { _, err := SetString(bad, "b", "a", "initialSavepointPath", "s3://b"); return err }(),
	} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("got %v, want %q", err, name)
		}
	}
}

func second[A, B any](_ A, _ B, err error) error { return err }
