package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/component/flinkjob"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/output"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

const fuzzJob = testutil.Job + `  parallelism: 4
  upgradeMode: savepoint
  flinkConfiguration: {state.savepoints.dir: "s3://b/sp"}
  nodes: {limits: {cpu: "8", memory: 32Gi}, instanceFamilies: [m6i]}
  environments:
    prod: {parallelism: 8, podSecurity: baseline}
`

// FuzzRender renders from decoded input: a fuzzed FlinkJobSpec document
// with the fixed platform, whose prod environment takes fuzzed overrides
// (a partial platform spec, as JSON). Whatever the input, rendering must
// not panic; a failure must be a problem naming a file, or, for an input
// problem, the platform or the job; and what renders must be valid:
// object names and labels Kubernetes accepts, files output can write, and
// Flink pods that meet their Pod Security Standard level.
func FuzzRender(f *testing.F) {
	f.Add([]byte(fuzzJob), []byte(`{}`))
	f.Add([]byte(fuzzJob), []byte(`{"flink":{"image":"flink@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},"requireDigests":true}`))
	f.Add([]byte(fuzzJob), []byte(`{"rbac":{"mode":"ClusterRoleBinding","clusterRoleName":"flink-jobs"}}`))
	f.Add([]byte(fuzzJob), []byte(`{"nodes":{"karpenter":{"enabled":false}},"metrics":{"port":9250,"datadog":{"enabled":false}}}`))
	f.Add([]byte(fuzzJob), []byte(`{"nodes":{"karpenter":{"apiVersion":"v1"}}}`))
	f.Add([]byte(strings.Replace(fuzzJob, "namespace: shop", "namespace: "+strings.Repeat("n", 63), 1)), []byte(`{}`))
	f.Add([]byte(fuzzJob+"---\n"+strings.Replace(fuzzJob, "orders", "orders-v2", 1)), []byte(`{"flink":{"flinkConfiguration":{"s3.secret-key":"x"}}}`))
	// Every bad input of the CLI's golden cases, as a job document.
	cases, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "errors", "*", "input", "job.yaml"))
	for _, c := range cases {
		if data, err := os.ReadFile(c); err == nil && len(data) < 64<<10 {
			f.Add(data, []byte(`{}`))
		}
	}
	pdocs, probs := input.SplitDocuments("platform.yaml", []byte(testutil.Platform+testutil.ComponentsOff))
	if probs.HasErrors() {
		f.Fatal(probs)
	}
	f.Fuzz(func(t *testing.T, jobDoc, overrides []byte) {
		platform, probs := input.DecodePlatform(pdocs[0])
		if probs.HasErrors() {
			t.Fatal(probs)
		}
		if o := bytes.TrimSpace(overrides); json.Valid(o) && bytes.HasPrefix(o, []byte("{")) {
			platform.Spec.Environments[1].Overrides = append(json.RawMessage(nil), o...)
		}
		docs, probs := input.SplitDocuments("job.yaml", jobDoc)
		checkProblems(t, probs)
		set, probs := input.Collect(docs, input.Options{Platform: platform})
		checkProblems(t, probs)
		if probs.HasErrors() {
			checkProblems(t, Check(set))
			return
		}
		r, err := New(set)
		if err != nil {
			checkError(t, err)
			return
		}
		for _, env := range r.Environments() {
			res, err := r.Render(env)
			if err != nil {
				checkError(t, err)
				continue
			}
			checkProblems(t, res.Warnings)
			checkObjects(t, env, res)
		}
	})
}

// checkError fails on a render error that is not a problem about the input.
func checkError(t *testing.T, err error) {
	t.Helper()
	var probs problem.List
	if !errors.As(err, &probs) {
		t.Fatalf("an internal error, not a problem about the input: %v", err)
	}
	checkProblems(t, probs)
}

// checkProblems fails on a problem that names neither a file nor a message.
func checkProblems(t *testing.T, probs problem.List) {
	t.Helper()
	for _, p := range probs {
		if p.Message == "" {
			t.Fatalf("a problem without a message: %+v", p)
		}
		if p.File == "" && p.Object.Kind == "" && !strings.Contains(p.Message, "no FlinkPlatform") {
			t.Fatalf("a problem naming no file and no object: %+v", p)
		}
	}
}

func checkObjects(t *testing.T, env string, res *Result) {
	t.Helper()
	for _, o := range res.Objects {
		if msgs := validation.IsDNS1123Subdomain(o.GetName()); len(msgs) > 0 && o.GetKind() != "ClusterRole" && o.GetKind() != "Role" {
			t.Fatalf("%s: %s: invalid name: %v", env, o.ID(), msgs)
		}
		if ns := o.GetNamespace(); ns != "" {
			if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
				t.Fatalf("%s: %s: invalid namespace: %v", env, o.ID(), msgs)
			}
		}
		for k, v := range o.GetLabels() {
			if msgs := append(validation.IsQualifiedName(k), validation.IsValidLabelValue(v)...); len(msgs) > 0 {
				t.Fatalf("%s: %s: invalid label %s=%s: %v", env, o.ID(), k, v, msgs)
			}
		}
		if _, err := output.Marshal(o); err != nil {
			t.Fatalf("%s: %s: %v", env, o.ID(), err)
		}
		if o.GetKind() == "FlinkDeployment" {
			level := o.GetAnnotations()[api.PodSecurityAnnotation]
			if level == "" {
				level = api.PodSecurityRestricted
			}
			if why := flinkjob.PodSecurityViolations(o, level, nil); len(why) > 0 {
				t.Fatalf("%s: %s: pods below %s: %v", env, o.ID(), level, why)
			}
		}
	}
}
