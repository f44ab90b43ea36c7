package testutil

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

func TestShort(t *testing.T) {
	tests := map[string]struct {
		short bool
		ci    string
		want  bool
	}{
		"full run":        {short: false, ci: "", want: false},
		"-short locally":  {short: true, ci: "", want: true},
		"-short under CI": {short: true, ci: "true", want: false},
		"CI":              {short: false, ci: "true", want: false},
	}
	old := flag.Lookup("test.short").Value.String()
	t.Cleanup(func() { _ = flag.Set("test.short", old) })
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			if err := flag.Set("test.short", map[bool]string{true: "true", false: "false"}[tc.short]); err != nil {
				t.Fatal(err)
			}
			if got := Short(); got != tc.want {
				t.Errorf("Short() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestToolFindsThePinnedInstall(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sometool")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(ToolsEnv, dir)
	if got := Tool(t, "sometool"); got != p {
		t.Errorf("Tool = %q, want %q", got, p)
	}
}

// recorder notes how a test ended instead of ending it.
type recorder struct {
	testing.TB
	failed, skipped bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }

func TestMissingToolFailsUnderCI(t *testing.T) {
	t.Setenv(ToolsEnv, t.TempDir())
	t.Setenv("CI", "true")
	r := &recorder{TB: t}
	Tool(r, "krm-flink-no-such-tool")
	if !r.failed || r.skipped {
		t.Errorf("a missing tool under CI: failed %v, skipped %v; want a failure", r.failed, r.skipped)
	}
}
