package cli

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/krm-flink/krm-flink/internal/testutil"
)

// tarEntry is one member of a generated chart archive.
type tarEntry struct {
	name     string
	body     string
	typeflag byte // tar.TypeReg when zero
	link     string
	size     int64 // overrides len(body) for a zero-filled body
}

// chartArchive packs entries into a .tgz the way `helm package` does, but
// with whatever names, types and sizes a hostile chart would use.
func chartArchive(t *testing.T, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: e.typeflag, Linkname: e.link, Size: int64(len(e.body))}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if e.size > 0 {
			h.Size = e.size
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if e.size > 0 {
			chunk := make([]byte, 1<<20)
			for left := e.size; left > 0; left -= int64(len(chunk)) {
				if _, err := tw.Write(chunk[:min(left, int64(len(chunk)))]); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// jobChartEntries is a valid minimal job chart, to which cases add one
// hostile member.
func jobChartEntries(extra ...tarEntry) []tarEntry {
	return append([]tarEntry{
		{name: "flink-job/Chart.yaml", body: "apiVersion: v2\nname: flink-job\nversion: 0.1.0\n"},
		{name: "flink-job/templates/cm.yaml", body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ (index .Values.jobs 0).name }}\n"},
	}, extra...)
}

func karpenterChartEntries(extra ...tarEntry) []tarEntry {
	return append([]tarEntry{
		{name: "karpenter/Chart.yaml", body: "apiVersion: v2\nname: karpenter\nversion: 0.34.0\n"},
		{name: "karpenter/templates/sa.yaml", body: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: karpenter\n"},
	}, extra...)
}

// hostileCase is a bad input too large or too binary to keep as a static
// fixture under testdata/errors: it is generated, its message kept here.
type hostileCase struct {
	name  string
	files func(t *testing.T) map[string][]byte
	want  string // stderr, input folder stripped, "is N bytes" normalised
}

func hostileCases() []hostileCase {
	platformWith := func(extra string) []byte { return []byte(testutil.Platform + extra) }
	return []hostileCase{
		{
			name: "multi-megabyte-document",
			files: func(t *testing.T) map[string][]byte {
				var b strings.Builder
				b.WriteString(testutil.Job + "  args:\n")
				for b.Len() < 2<<20 {
					b.WriteString("    - --source=kafka://orders-topic-with-a-rather-long-name-for-padding\n")
				}
				return map[string][]byte{"platform.yaml": platformWith(testutil.ComponentsOff), "job.yaml": []byte(b.String())}
			},
			want: "job.yaml: document 1 is N bytes, more than the 1048576 a krm-flink document may have\n1 error(s); nothing was written\n",
		},
		{
			name: "multi-megabyte-scalar",
			files: func(t *testing.T) map[string][]byte {
				job := testutil.Job + "  entryClass: " + strings.Repeat("a", 2<<20) + "\n"
				return map[string][]byte{"platform.yaml": platformWith(testutil.ComponentsOff), "job.yaml": []byte(job)}
			},
			want: "job.yaml: document 1 is N bytes, more than the 1048576 a krm-flink document may have\n1 error(s); nothing was written\n",
		},
		{
			name: "job-chart-tgz-escapes-its-folder",
			files: func(t *testing.T) map[string][]byte {
				tgz := chartArchive(t, jobChartEntries(tarEntry{name: "flink-job/../../escaped.yaml", body: "pwned: true\n"})...)
				return map[string][]byte{
					"platform.yaml": platformWith("  jobChart: {path: flink-job-0.1.0.tgz}\n" + testutil.ComponentsOff),
					"job.yaml":      []byte(testutil.Job), "flink-job-0.1.0.tgz": tgz,
				}
			},
			want: "platform.yaml: FlinkPlatform p: spec.jobChart.path: loading chart flink-job-0.1.0.tgz: chart illegally references parent directory\n1 error(s); nothing was written\n",
		},
		{
			name: "vendored-chart-tgz-escapes-its-folder",
			files: func(t *testing.T) map[string][]byte {
				// The lock matches the archive: provenance holds, the content does not.
				tgz := chartArchive(t, karpenterChartEntries(tarEntry{name: "karpenter/templates/../../../../escaped.yaml", body: "pwned: true\n"})...)
				lock := `apiVersion: krm-flink.io/v1alpha1
kind: ChartLock
metadata: {name: charts}
charts:
- component: karpenter
  source: oci://public.ecr.aws/karpenter/karpenter
  chart: karpenter
  version: 0.34.0
  chartVersion: 0.34.0
  digest: ` + digestOf(tgz) + `
  file: karpenter-0.34.0.tgz
`
				return map[string][]byte{
					"platform.yaml": platformWith(`  chartsDir: vendor/charts
  kubernetesVersion: 1.29.0
  components:
    cert-manager: {enabled: false}
    flink-operator: {enabled: false}
    fluent-bit: {enabled: false}
    karpenter:
      version: 0.34.0
      chart: {repo: oci://public.ecr.aws/karpenter/karpenter}
`),
					"vendor/charts/charts.lock.yaml":     []byte(lock),
					"vendor/charts/karpenter-0.34.0.tgz": tgz,
				}
			},
			want: "platform.yaml: FlinkPlatform p: spec.components.karpenter.chart: component karpenter: chart oci://public.ecr.aws/karpenter/karpenter version 0.34.0: loading chart archive: chart illegally references parent directory\n1 error(s); nothing was written\n",
		},
		{
			name: "chart-tgz-decompression-bomb",
			files: func(t *testing.T) map[string][]byte {
				bombOnce.Do(func() {
					bomb = chartArchive(t, jobChartEntries(tarEntry{name: "flink-job/files/zeros.bin", size: 101 << 20})...)
				})
				tgz := bomb
				return map[string][]byte{
					"platform.yaml": platformWith("  jobChart: {path: flink-job-0.1.0.tgz}\n" + testutil.ComponentsOff),
					"job.yaml":      []byte(testutil.Job), "flink-job-0.1.0.tgz": tgz,
				}
			},
			want: "platform.yaml: FlinkPlatform p: spec.jobChart.path: loading chart flink-job-0.1.0.tgz: decompressed chart is larger than the maximum file size 104857600\n1 error(s); nothing was written\n",
		},
	}
}

var sizeInMessage = regexp.MustCompile(`is \d+ bytes`)

// bomb is the decompression bomb archive, built once (101 MiB to compress).
var (
	bomb     []byte
	bombOnce sync.Once
)

// TestHostileGeneratedInputs runs the generated bad inputs through the CLI:
// exit 1, the exact message, an existing overlay tree left byte-identical,
// and nothing written outside the output folder.
var warningLine = regexp.MustCompile(`(?m)^warning: .*\n`)

func TestHostileGeneratedInputs(t *testing.T) {
	for _, tc := range hostileCases() {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			input := filepath.Join(root, "input")
			writeFiles(t, input, tc.files(t))
			out := filepath.Join(root, "overlays")
			writeFiles(t, out, map[string][]byte{"prod/README.md": []byte("hand-written\n")})
			before := testutil.ReadTree(t, root)
			delete(before, "overlays/prod/README.md")
			code, _, stderr := run(t, "render", "-f", input, "--all-envs", "-o", out)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
			}
			stderr = strings.ReplaceAll(stderr, input+string(filepath.Separator), "")
			stderr = sizeInMessage.ReplaceAllString(stderr, "is N bytes")
			// The platform's warnings (e.g. its AMI alias) are not what
			// these cases are about: the error and the untouched tree are.
			stderr = warningLine.ReplaceAllString(stderr, "")
			if diff := cmp.Diff(tc.want, stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			after := testutil.ReadTree(t, root)
			if got := after["overlays/prod/README.md"]; got != "hand-written\n" {
				t.Errorf("the existing tree changed: README.md = %q", got)
			}
			delete(after, "overlays/prod/README.md")
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("a failed render wrote files (-before +after):\n%s", diff)
			}
			if _, err := os.Stat(filepath.Join(root, "escaped.yaml")); err == nil {
				t.Error("a chart archive wrote outside its folder")
			}
		})
	}
}

// TestChartArchiveMembersStayInside shows what becomes of archive members
// that are not plain files inside the chart folder but are not errors
// either: Helm's loader strips an absolute name's leading "/" (the member
// becomes a file of the chart, e.g. etc/cron.d/escaped, never written
// anywhere) and skips symlinks. Charts are only ever read into memory:
// nothing outside the output folder is read or written.
func TestChartArchiveMembersStayInside(t *testing.T) {
	platformWith := func(extra string) []byte { return []byte(testutil.Platform + extra) }
	for _, tc := range []struct {
		name  string
		files func(t *testing.T) map[string][]byte
	}{
		{
			name: "component-chart-tgz-absolute-path",
			files: func(t *testing.T) map[string][]byte {
				tgz := chartArchive(t, karpenterChartEntries(tarEntry{name: "/etc/cron.d/escaped", body: "* * * * * root true\n"})...)
				return map[string][]byte{
					"platform.yaml": platformWith(`  components:
    cert-manager: {enabled: false}
    flink-operator: {enabled: false}
    fluent-bit: {enabled: false}
    karpenter:
      version: 0.34.0
      chart: {path: karpenter-0.34.0.tgz}
`), "karpenter-0.34.0.tgz": tgz,
				}
			},
		},
		{
			name: "chart-tgz-symlink",
			files: func(t *testing.T) map[string][]byte {
				tgz := chartArchive(t, jobChartEntries(tarEntry{name: "flink-job/templates/passwd.yaml", typeflag: tar.TypeSymlink, link: "/etc/passwd"})...)
				return map[string][]byte{
					"platform.yaml": platformWith("  jobChart: {path: flink-job-0.1.0.tgz}\n" + testutil.ComponentsOff),
					"job.yaml":      []byte(testutil.Job), "flink-job-0.1.0.tgz": tgz,
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			input := filepath.Join(root, "input")
			writeFiles(t, input, tc.files(t))
			out := filepath.Join(root, "overlays")
			code, _, stderr := run(t, "render", "-f", input, "--all-envs", "-o", out)
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, stderr)
			}
			for p, content := range testutil.ReadTree(t, root) {
				if !strings.HasPrefix(p, "input/") && !strings.HasPrefix(p, "overlays/") {
					t.Errorf("written outside the output folder: %s", p)
				}
				if strings.Contains(content, "root:x:0:0") || strings.Contains(content, "root true") {
					t.Errorf("%s holds a hostile member's content", p)
				}
			}
		})
	}
}
