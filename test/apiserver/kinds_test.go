package apiserver

import (
	"context"
	"testing"
	"time"
)

const (
	sessionJob = `
apiVersion: flink.apache.org/v1beta1
kind: FlinkSessionJob
metadata: {name: session-job, namespace: flink-jobs}
spec:
  deploymentName: session
  job: {jarURI: "https://repo.example.com/job.jar", parallelism: 1, upgradeMode: stateless, state: running}
`
	stateSnapshot = `
apiVersion: flink.apache.org/v1beta1
kind: FlinkStateSnapshot
metadata: {name: job-savepoint, namespace: flink-jobs}
spec:
  jobReference: {kind: FlinkDeployment, name: job}
  savepoint: {path: "s3://state/savepoints"}
`
	blueGreen = `
apiVersion: flink.apache.org/v1beta1
kind: FlinkBlueGreenDeployment
metadata: {name: job, namespace: flink-jobs}
spec:
  configuration: {kubernetes.operator.bluegreen.deployment-deletion.delay: 2s}
  template:
    spec:
      image: flink:1.20
      flinkVersion: v1_20
      jobManager: {resource: {memory: 2048m, cpu: 1}}
      taskManager: {resource: {memory: 2048m, cpu: 1}}
      job: {jarURI: "local:///opt/flink/job.jar", parallelism: 1, upgradeMode: stateless}
`
)

// TestKindsPerOperatorVersion is why krm-flink refuses snapshots before
// operator 1.10 and blue/green before 1.14 (testdata/errors/
// new-kinds-old-operator): the 1.7.0 CRDs serve neither kind, while
// FlinkSessionJob is served by both; the 1.15.0 CRDs accept all three.
func TestKindsPerOperatorVersion(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sets     []string
		accepted []string
		rejected []string
	}{
		{"operator 1.7.0", DefaultCRDSets, []string{sessionJob}, []string{stateSnapshot, blueGreen}},
		{"operator 1.15.0", []string{CertManager182, FlinkOperator115, Karpenter114}, []string{sessionJob, stateSnapshot, blueGreen}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := SharedServer(t, CRDDirs(t, tc.sets...), nil)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := srv.CreateNamespaces(ctx, "flink-jobs"); err != nil {
				t.Fatal(err)
			}
			for _, y := range tc.accepted {
				o := mustDecode(t, y)
				t.Run(o.GetKind()+" accepted", func(t *testing.T) { expectAccepted(t, srv.Client, o) })
			}
			for _, y := range tc.rejected {
				o := mustDecode(t, y)
				t.Run(o.GetKind()+" not served", func(t *testing.T) { expectRejected(t, srv.Client, o) })
			}
		})
	}
}
