package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// ToolsEnv names the folder of the pinned tools (make exports it); the
// repository's .tools/bin is searched after it.
const ToolsEnv = "KRM_FLINK_TOOLS"

// repoRoot is the repository's root folder.
var repoRoot = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}()

// Tool returns the path of a pinned tool that hack/install-tools.sh
// installs. A missing tool fails the test, unless Short.
func Tool(t testing.TB, name string) string {
	t.Helper()
	for _, d := range []string{os.Getenv(ToolsEnv), filepath.Join(repoRoot, ".tools", "bin")} {
		if d == "" {
			continue
		}
		p := filepath.Join(d, name)
		if info, err := os.Stat(p); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return p
		}
	}
	if Short() {
		t.Skipf("-short: %s not installed", name)
	}
	t.Fatalf("%s not installed: run `make tools` (hack/install-tools.sh)", name)
	return ""
}

// Short tells whether tests may take their -short path (skip what is slow
// or needs a tool): -short is set and CI is not. Under CI every test runs
// in full, so CI never passes by leaving a test out.
func Short() bool { return testing.Short() && os.Getenv("CI") == "" }
