package cli

import (
	"path/filepath"
	"testing"
)

// TestGoldenVersions runs `versions` on every testdata/versions case and on
// the example platform, and compares stdout with the golden file.
func TestGoldenVersions(t *testing.T) {
	base := filepath.Join(repoRoot, "testdata", "versions")
	cases := map[string]string{"example-platform": filepath.Join(repoRoot, "examples", "platform")}
	for _, name := range caseDirs(t, base) {
		cases[name] = filepath.Join(base, name, "input")
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := run(t, "versions", "-f", in)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr: %s", stderr)
			}
			compareFile(t, filepath.Join(base, name+".golden"), stdout)
		})
	}
}

func TestVersionsNeedsInput(t *testing.T) {
	if code, _, stderr := run(t, "versions"); code != 1 || stderr != "error: no input: give -f with a file or folder\n" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
