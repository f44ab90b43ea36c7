// Package testutil holds the helpers the project's tests share: copying and
// reading file trees, and the smallest valid platform.
package testutil

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/krm-flink/krm-flink/internal/input"
)

// Platform is the smallest valid FlinkPlatform (two environments, dev and
// prod). Its components are on, as by default: append ComponentsOff, or a
// components block of your own, to change that.
const Platform = `apiVersion: krm-flink.io/v1alpha1
kind: FlinkPlatform
metadata: {name: p}
spec:
  clusterName: c1
  region: us-east-1
  environments: [{name: dev}, {name: prod, overrides: {clusterName: c1-prod}}]
  flink:
    image: flink:1.18
    flinkVersion: v1_18
    jobManager: {resource: {cpu: 1, memory: 2g}}
    taskManager: {resource: {cpu: 1, memory: 2g}}
  nodes:
    karpenter:
      nodeClass: {role: r}
`

// ComponentsOff switches every third-party component off, for tests of the
// job path alone (the charts are tested on their own).
const ComponentsOff = `  components:
    cert-manager: {enabled: false}
    flink-operator: {enabled: false}
    fluent-bit: {enabled: false}
    karpenter: {enabled: false}
`

// Job is a minimal valid FlinkJobSpec, orders in namespace shop; append
// spec fields (two-space indented) to extend it.
const Job = `apiVersion: krm-flink.io/v1alpha1
kind: FlinkJobSpec
metadata: {name: orders, namespace: shop}
spec:
  owner: shop
  jarURI: local:///opt/flink/usrlib/orders.jar
`

// CopyDir copies the files below src into dst, creating folders as needed.
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ReadTree returns the content of every file below dir, by slash path.
func ReadTree(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Set decodes in-memory input files, in name order, into an input set, as
// `krm-flink render` reads files; any problem fails the test.
func Set(t testing.TB, files map[string]string) *input.Set {
	t.Helper()
	var docs []*input.Document
	for _, name := range slices.Sorted(maps.Keys(files)) {
		d, probs := input.SplitDocuments(name, []byte(files[name]))
		if probs.HasErrors() {
			t.Fatal(probs)
		}
		docs = append(docs, d...)
	}
	set, probs := input.Collect(docs, input.Options{})
	if probs.HasErrors() {
		t.Fatal(probs)
	}
	return set
}
