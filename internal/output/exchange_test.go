package output

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// errCrash stands for the process dying inside exchangeByRenames.
var errCrash = errors.New("crash")

// crashAfter returns a rename that performs n renames and then panics, as
// a killed process stops: nothing after it runs, not even the rollback.
func crashAfter(n int) func(from, to string) error {
	return func(from, to string) error {
		if n == 0 {
			panic(errCrash)
		}
		n--
		return os.Rename(from, to)
	}
}

// useRenames makes Write swap trees as systems without renameat2 do.
func useRenames(t *testing.T) {
	t.Cleanup(func() { swap = exchange })
	swap = func(a, b string) error { return exchangeByRenames(a, b, os.Rename) }
}

func TestWriteByRenames(t *testing.T) {
	useRenames(t)
	out := filepath.Join(t.TempDir(), "overlays")
	for _, content := range []string{"v1", "v2", "v3"} {
		if err := Write(out, map[string]Tree{"prod": tree(map[string]string{"jobs/a.yaml": content})}); err != nil {
			t.Fatalf("writing %s: %v", content, err)
		}
		if got := read(t, filepath.Join(out, "prod/jobs/a.yaml")); got != Header+content {
			t.Errorf("prod/jobs/a.yaml = %q, want %s", got, content)
		}
	}
	if _, err := os.Stat(out + asideSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s left behind: %v", out+asideSuffix, err)
	}
}

// A run killed inside the rename-based swap leaves the old tree aside; the
// next run must put things right and write its tree, keeping the user's
// files whichever tree they were in.
func TestWriteRecoversFromACrashedSwap(t *testing.T) {
	for name, renames := range map[string]int{
		"old tree moved aside":          1,
		"new tree in place, old aside":  2,
		"crash before the first rename": 0,
	} {
		t.Run(name, func(t *testing.T) {
			useRenames(t)
			out := filepath.Join(t.TempDir(), "overlays")
			if err := Write(out, map[string]Tree{"prod": tree(map[string]string{"jobs/a.yaml": "v1"})}); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, "prod/README.md"), []byte("mine"), 0o644); err != nil {
				t.Fatal(err)
			}
			crashed := func() (v any) {
				defer func() { v = recover() }()
				swap = func(a, b string) error { return exchangeByRenames(a, b, crashAfter(renames)) }
				_ = Write(out, map[string]Tree{"prod": tree(map[string]string{"jobs/a.yaml": "v2"})})
				return nil
			}()
			if crashed != errCrash {
				t.Fatalf("the swap did not crash: %v", crashed)
			}
			useRenames(t)
			if err := Write(out, map[string]Tree{"prod": tree(map[string]string{"jobs/a.yaml": "v3"})}); err != nil {
				t.Fatalf("the run after the crash: %v", err)
			}
			if got := read(t, filepath.Join(out, "prod/jobs/a.yaml")); got != Header+"v3" {
				t.Errorf("prod/jobs/a.yaml = %q, want v3", got)
			}
			if got := read(t, filepath.Join(out, "prod/README.md")); got != "mine" {
				t.Errorf("user file prod/README.md = %q", got)
			}
			if _, err := os.Stat(out + asideSuffix); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s left behind: %v", out+asideSuffix, err)
			}
		})
	}
}
