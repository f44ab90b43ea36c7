package bench

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/krm-flink/krm-flink/fn/cli"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

// Benchmarks run krm-flink in-process through its command-line entry point,
// exactly what `krm-flink render` and `krm-flink < rl.yaml` run, on
// generated platforms with every component on:
//
//	go test -run '^$' -bench . -benchmem ./test/bench/
//	go test -run '^$' -bench 'Render/1000$' -cpuprofile cpu.out -memprofile mem.out ./test/bench/
//
// -short skips the 5,000-job sizes. With KRM_FLINK_BENCH_DIR set, generated
// platforms are kept there and reused by later runs. hack/bench.sh runs them next to the
// built binary's wall time and peak RSS and the helm-template baseline.

var (
	platformsMu sync.Mutex
	platforms   = map[Config]*Layout{}
	platformDir string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "krm-flink-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	platformDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// platform generates c once per test binary run, or reuses what an earlier
// run generated under $KRM_FLINK_BENCH_DIR (so a CPU profile holds no
// generation).
func platform(tb testing.TB, c Config) *Layout {
	tb.Helper()
	platformsMu.Lock()
	defer platformsMu.Unlock()
	if l, ok := platforms[c]; ok {
		return l
	}
	base, keep := os.LookupEnv(benchDirEnv)
	if !keep || base == "" {
		base = platformDir
	}
	dir := filepath.Join(base, fmt.Sprintf("jobs%d-envs%d-ns%d-seed%d-nocomp%t-helm%t-largecrds%t",
		c.Jobs, c.Envs, c.Namespaces, c.Seed, c.NoComponents, c.HelmValues, c.LargeCRDs))
	stamp := filepath.Join(dir, "generated")
	if keep {
		if _, err := os.Stat(stamp); err == nil {
			l := layoutOf(dir, c)
			platforms[c] = l
			return l
		}
	}
	l, err := Generate(dir, c)
	if err != nil {
		tb.Fatalf("generate %+v: %v", c, err)
	}
	if err := os.WriteFile(stamp, nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	platforms[c] = l
	return l
}

// benchDirEnv names a folder where generated platforms are kept between runs.
const benchDirEnv = "KRM_FLINK_BENCH_DIR"

// layoutOf is the Layout Generate returned for c in dir.
func layoutOf(dir string, c Config) *Layout {
	envs := EnvNames(max(c.Envs, 1))
	if c.LargeCRDs {
		envs = largeCRDEnvs
	}
	return &Layout{
		Dir:          dir,
		Platform:     filepath.Join(dir, PlatformDir),
		ResourceList: filepath.Join(dir, ResourceListFile),
		Envs:         envs,
		Env:          envs[0],
	}
}

func skipLarge(b *testing.B, jobs int) {
	if jobs >= 5000 && testutil.Short() {
		b.Skipf("%d jobs: skipped with -short", jobs)
	}
}

// BenchmarkRender renders one environment of N jobs into a fresh folder:
// `krm-flink render -f platform --env prod -o out`.
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 5000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			skipLarge(b, n)
			l := platform(b, Config{Jobs: n, Envs: 1})
			benchRender(b, l, n, "--env", l.Env)
		})
	}
}

// BenchmarkRenderAllEnvs renders three environments (jobs in 1 to 3 of
// them, some overridden per environment): `--all-envs`.
func BenchmarkRenderAllEnvs(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			l := platform(b, Config{Jobs: n, Envs: 3})
			benchRender(b, l, n, "--all-envs")
		})
	}
}

func benchRender(b *testing.B, l *Layout, jobs int, envArgs ...string) {
	out := b.TempDir()
	var files, size int64
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		dir := filepath.Join(out, strconv.Itoa(i))
		i++
		args := append([]string{"render", "-f", l.Platform, "-o", dir}, envArgs...)
		var stderr bytes.Buffer
		if code := cli.Main(args, strings.NewReader(""), io.Discard, &stderr); code != 0 {
			b.Fatalf("krm-flink %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
		}
		// Outputs are kept until the benchmark ends (b.TempDir): on ext4
		// without a journal, deleting one just before the next render
		// slows that render's file creation (see hack/bench.sh).
		b.StopTimer()
		files, size = treeSize(b, dir)
		b.StartTimer()
	}
	reportPerJob(b, jobs)
	b.ReportMetric(float64(files), "files")
	b.ReportMetric(float64(size), "out-bytes")
}

// BenchmarkRenderLargeCRDs renders both environments (dev, and prod on a
// cluster of its own) of 3 jobs whose four component charts each carry a
// synthetic CRD of about 540 KB, as upstream charts do: `--all-envs`.
func BenchmarkRenderLargeCRDs(b *testing.B) {
	const n = 3
	l := platform(b, Config{Jobs: n, LargeCRDs: true})
	benchRender(b, l, n, "--all-envs")
}

// BenchmarkRenderCheck is the pull-request check: `render --check` against
// an up-to-date tree of 1,000 jobs.
func BenchmarkRenderCheck(b *testing.B) {
	const n = 1000
	l := platform(b, Config{Jobs: n, Envs: 1})
	out := filepath.Join(b.TempDir(), "overlays")
	var stderr bytes.Buffer
	if code := cli.Main([]string{"render", "-f", l.Platform, "--env", l.Env, "-o", out}, strings.NewReader(""), io.Discard, &stderr); code != 0 {
		b.Fatalf("render: exit %d\n%s", code, stderr.String())
	}
	args := []string{"render", "-f", l.Platform, "--env", l.Env, "-o", out, "--check"}
	b.ReportAllocs()
	for b.Loop() {
		stderr.Reset()
		if code := cli.Main(args, strings.NewReader(""), io.Discard, &stderr); code != 0 {
			b.Fatalf("render --check: exit %d\n%s", code, stderr.String())
		}
	}
	reportPerJob(b, n)
}

// BenchmarkFunction runs krm-flink as a KRM function: the ResourceList of
// N jobs on stdin, the ResourceList with the rendered objects on stdout.
// Function/3 is the small platform a kpt pipeline runs on every render.
func BenchmarkFunction(b *testing.B) {
	for _, n := range []int{3, 100, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			l := platform(b, Config{Jobs: n, Envs: 1})
			rl, err := os.ReadFile(l.ResourceList)
			if err != nil {
				b.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				stdout.Reset()
				stderr.Reset()
				// Not nil: cobra reads os.Args when given no args at all.
				if code := cli.Main([]string{}, bytes.NewReader(rl), &stdout, &stderr); code != 0 {
					b.Fatalf("krm-flink < %s: exit %d\n%s", l.ResourceList, code, stderr.String())
				}
			}
			reportPerJob(b, n)
			b.ReportMetric(float64(stdout.Len()), "out-bytes")
		})
	}
}

func reportPerJob(b *testing.B, jobs int) {
	if b.N > 0 && jobs > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(jobs), "ns/job")
	}
}

func treeSize(tb testing.TB, dir string) (files, size int64) {
	tb.Helper()
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files++
		size += info.Size()
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files, size
}
