package security

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/krm-flink/krm-flink/internal/testutil"
	"github.com/krm-flink/krm-flink/test/bench"
)

// stagingPrefix is how the output writer names the folders it stages the
// new tree in, next to the output folder (internal/output).
const stagingPrefix = ".krm-flink-staging-"

// treeDigest maps every file below dir (slash path) to a digest of its
// content and mode; symlinks to their target.
func treeDigest(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			out[rel] = "symlink:" + target
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		out[rel] = hex.EncodeToString(sum[:8])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// newStaging tells whether a staging folder other than the leftovers exists.
func newStaging(t *testing.T, parent string, leftover map[string]bool) bool {
	for _, name := range stagingLeft(t, parent) {
		if !leftover[name] {
			return true
		}
	}
	return false
}

func inode(t *testing.T, p string) uint64 {
	info, err := os.Stat(p)
	if err != nil {
		return 0 // between removal and swap: never, with RENAME_EXCHANGE
	}
	return info.Sys().(*syscall.Stat_t).Ino
}

// restore puts the pristine old tree back at out, quickly: the tree there
// is moved aside and the pristine files hard-linked (krm-flink never writes
// into an existing file: it stages a new tree and swaps it in).
func restore(t *testing.T, pristine, out, trash string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(trash), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(out, trash); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	err := filepath.WalkDir(pristine, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(pristine, p)
		target := filepath.Join(out, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		return os.Link(p, target)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func stagingLeft(t *testing.T, parent string) []string {
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), stagingPrefix) {
			left = append(left, e.Name())
		}
	}
	return left
}

// TestKilledRenderLosesNoWork kills `krm-flink render` with SIGKILL at
// random points of a large render (100 jobs, 2 environments, every
// component: about 550 files) over an existing, different tree holding
// files of the user's own, and checks after every kill that the tree is
// exactly the old one or exactly the new one, never a mix. A third of the
// kill points are spread over the whole run, a third over its write phase
// (from the moment the run's staging folder appears), a third right after
// the swap (the output folder's inode changes) while the old tree is being
// removed. A final, uninterrupted render must give the new tree, keep the
// user's files, and leave no staging folder behind.
func TestKilledRenderLosesNoWork(t *testing.T) {
	if testutil.Short() {
		t.Skip("builds the binary and kills it some 30 times (about 30 s)")
	}
	work := t.TempDir()
	bin := filepath.Join(work, "krm-flink")
	build := exec.Command("go", "build", "-o", bin, "./cmd/krm-flink")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	gen := func(name string, seed uint64) string {
		l, err := bench.Generate(filepath.Join(work, name), bench.Config{Jobs: 100, Envs: 2, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return l.Platform
	}
	oldInput, newInput := gen("old", 7), gen("new", bench.DefaultSeed)
	render := func(input, out string) *exec.Cmd {
		cmd := exec.Command(bin, "render", "-f", input, "--all-envs", "-o", out)
		cmd.Env = append(os.Environ(), "KRM_FLINK_CACHE_DIR="+filepath.Join(work, "cache"))
		return cmd
	}
	userFiles := map[string]string{
		"README.md":                   "# overlays\nmanaged by krm-flink; see the platform repo\n",
		"prod/README.md":              "prod notes\n",
		"prod/patches/hand-made.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hand-made}\n",
	}

	// The pristine old tree: the old input rendered, plus the user's files.
	pristine := filepath.Join(work, "pristine", "overlays")
	if out, err := render(oldInput, pristine).CombinedOutput(); err != nil {
		t.Fatalf("render old: %v\n%s", err, out)
	}
	for p, content := range userFiles {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(pristine, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pristine, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	oldTree := treeDigest(t, pristine)

	// The new tree: the new input rendered over a copy of the old one,
	// timing the run and its write phase.
	root := filepath.Join(work, "repo")
	out := filepath.Join(root, "overlays")
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	testutil.CopyDir(t, pristine, out)
	start := time.Now()
	cmd := render(newInput, out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var stagingAt time.Duration
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var runErr error
watch:
	for {
		select {
		case runErr = <-done:
			break watch
		default:
			if stagingAt == 0 && len(stagingLeft(t, root)) > 0 {
				stagingAt = time.Since(start)
			}
			time.Sleep(time.Millisecond)
		}
	}
	total := time.Since(start)
	if runErr != nil {
		t.Fatalf("render new: %v", runErr)
	}
	newTree := treeDigest(t, out)
	if len(newTree) < 350 {
		t.Fatalf("the new tree has only %d files", len(newTree))
	}
	for p := range userFiles {
		if newTree[p] != oldTree[p] {
			t.Errorf("the user's %s was not kept by the render", p)
		}
	}
	if cmp.Equal(oldTree, newTree) {
		t.Fatal("old and new trees are equal: the test would prove nothing")
	}
	if stagingAt == 0 {
		stagingAt = total * 3 / 4
	}
	writePhase := total - stagingAt
	t.Logf("a full render takes %v; the staging folder appears at %v (write phase %v)", total.Round(time.Millisecond), stagingAt.Round(time.Millisecond), writePhase.Round(time.Millisecond))

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 6))
	const killPoints = 33
	deadline := time.Now().Add(45 * time.Second)
	outcomes := map[string]int{}
	kills := 0
	dirty := true // out holds something other than the old tree
	for i := 0; i < killPoints && time.Now().Before(deadline); i++ {
		if dirty {
			restore(t, pristine, out, filepath.Join(work, "trash", fmt.Sprint(i)))
		}
		// A killed run leaves its staging folder; the next run removes it.
		leftover := map[string]bool{}
		for _, name := range stagingLeft(t, root) {
			leftover[name] = true
		}
		oldIno := inode(t, out)
		cmd := render(newInput, out)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		begin := time.Now()
		mode := [...]string{"run", "write", "swap"}[i%3]
		switch mode {
		case "run":
			// Anywhere in the run, reading and rendering included.
			time.Sleep(time.Duration(rng.Int64N(int64(total + total/10))))
		case "write":
			// Anywhere in the write phase (staging, carrying the user's files
			// over, writing), from the moment this run's staging folder appears.
			for time.Since(begin) < 4*total && !newStaging(t, root, leftover) {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(time.Duration(rng.Int64N(int64(writePhase*9/10 + time.Millisecond))))
		case "swap":
			// Right after the swap (the output folder's inode changes), while
			// the old tree, now in the staging folder, is being removed.
			for time.Since(begin) < 4*total && inode(t, out) == oldIno {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(time.Duration(rng.Int64N(int64(5 * time.Millisecond))))
		}
		delay := time.Since(begin)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		killed := err != nil
		got := treeDigest(t, out)
		outcome := ""
		dirty = !cmp.Equal(got, oldTree)
		switch {
		case !dirty:
			outcome = "old"
		case cmp.Equal(got, newTree):
			outcome = "new"
		default:
			t.Errorf("kill point %d (%s phase, at %v): the tree is neither the old nor the new one:\n%s",
				i, mode, delay.Round(time.Microsecond), cmp.Diff(newTree, got))
			outcome = "MIXED"
		}
		if !killed {
			outcome += " (finished before the kill)"
		} else {
			kills++
		}
		outcomes[fmt.Sprintf("%-5s phase: %s", mode, outcome)]++
	}
	for _, k := range sortedKeys(outcomes) {
		t.Logf("%3d × %s", outcomes[k], k)
	}
	t.Logf("%d processes killed at random points, none left a mixed tree", kills)
	// Alone on two cores the 33 kill points fit in the time box; when every
	// package's tests run at once, renders slow down and fewer fit.
	if kills < 10 {
		t.Errorf("only %d renders were killed before they finished", kills)
	}

	// A normal run after all that: the new tree, no staging folder left.
	restore(t, pristine, out, filepath.Join(work, "trash", "final"))
	if res, err := render(newInput, out).CombinedOutput(); err != nil {
		t.Fatalf("final render: %v\n%s", err, res)
	}
	if diff := cmp.Diff(newTree, treeDigest(t, out)); diff != "" {
		t.Errorf("the final render differs from the new tree:\n%s", diff)
	}
	if left := stagingLeft(t, root); len(left) > 0 {
		t.Errorf("staging folders left next to the output after a normal render: %v", left)
	}
}
