package apiserver

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/fn/cli"
)

// TestNewestAPIs renders platforms on the newest upstream APIs (Karpenter
// v1 NodePools, operator 1.15 with Flink 2): testdata/apiserver/newest, the
// "defaults" golden input, which pins nothing, the golden inputs whose jobs
// set every FlinkDeployment field krm-flink takes (some, such as ingress.tls
// and savepointRedeployNonce, are not in the 1.7.0 CRD the reference
// platform's overlays are checked against), and those with every kind the
// operator runs (FlinkSessionJob, FlinkStateSnapshot,
// FlinkBlueGreenDeployment, session clusters), and secrets by reference
// (the entrypoint arguments configKey renders). It proves the API server
// accepts every object against the real Karpenter v1.14.1 and operator
// 1.15.0 CRDs. With TestRenderedOverlays (Karpenter 0.34, operator 1.7 and 1.15)
// both Karpenter API versions and both operator versions are covered.
func TestNewestAPIs(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		filepath.Join("testdata", "apiserver", "newest"),
		filepath.Join("testdata", "render", "defaults", "input"),
		// Every FlinkDeployment field a job sets, on operator 1.15.
		filepath.Join("testdata", "render", "job-deployment-fields", "input"),
		filepath.Join("testdata", "render", "job-identity", "input"),
		// Session clusters, session jobs, snapshots and blue/green.
		filepath.Join("testdata", "render", "session-cluster", "input"),
		filepath.Join("testdata", "render", "operator-examples", "input"),
		// Secrets by reference (configKey) on a job and a session cluster.
		filepath.Join("testdata", "render", "secrets-by-reference", "input"),
	} {
		t.Run(filepath.Base(filepath.Dir(in))+"/"+filepath.Base(in), func(t *testing.T) {
			out := t.TempDir()
			var stdout, stderr bytes.Buffer
			args := []string{"render", "-f", filepath.Join(root, in), "--all-envs", "-o", out}
			if code := cli.Main(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
				t.Fatalf("render: exit %d\n%s", code, stderr.String())
			}
			ValidateOverlays(t, out, CRDDirs(t, CertManager182, FlinkOperator115, Karpenter114))
		})
	}
}
