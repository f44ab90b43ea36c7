package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/krm-flink/krm-flink/internal/testutil"
)

// TestPanicBecomesInternalError injects a panic into a render and checks no
// panic reaches the user: exit 1, "internal error: <value>", the stack only
// in debug mode, and the existing overlay tree untouched.
func TestPanicBecomesInternalError(t *testing.T) {
	input := filepath.Join(repoRoot, "testdata", "render", "minimal", "input")
	for _, tc := range []struct {
		name      string
		env       string
		flags     []string
		wantStack bool
	}{
		{name: "default"},
		{name: "KRM_FLINK_DEBUG=1", env: "1", wantStack: true},
		{name: "--debug", flags: []string{"--debug"}, wantStack: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(DebugEnv, tc.env)
			renderPanicHook = func() { panic("injected failure") }
			defer func() { renderPanicHook = nil }()
			out := t.TempDir()
			if err := os.WriteFile(filepath.Join(out, "README.md"), []byte("mine\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			before := testutil.ReadTree(t, out)
			code, _, stderr := run(t, append([]string{"render", "-f", input, "--all-envs", "-o", out}, tc.flags...)...)
			if code != 1 {
				t.Fatalf("exit %d, want 1", code)
			}
			if !strings.HasPrefix(stderr, "internal error: injected failure\n") {
				t.Errorf("stderr does not start with the internal error:\n%s", stderr)
			}
			if hasStack := strings.Contains(stderr, "goroutine ") && strings.Contains(stderr, "panic_test.go"); hasStack != tc.wantStack {
				t.Errorf("stack printed = %v, want %v:\n%s", hasStack, tc.wantStack, stderr)
			}
			if diff := cmp.Diff(before, testutil.ReadTree(t, out)); diff != "" {
				t.Errorf("the tree changed:\n%s", diff)
			}
			entries, _ := os.ReadDir(filepath.Dir(out))
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), ".krm-flink-staging-") {
					t.Errorf("staging folder left behind: %s", e.Name())
				}
			}
		})
	}
}
