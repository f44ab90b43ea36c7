package flinkcrd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// crdsDir is where the upstream CRDs are: $KRM_FLINK_CRDS_DIR or
// <repo>/../shared/crds.
func crdsDir() string {
	if d := os.Getenv("KRM_FLINK_CRDS_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "crds")
}

// TestFactsAreCurrent regenerates the facts from the upstream CRDs and fails
// when the committed facts.txt differs: run go generate ./internal/flinkcrd.
func TestFactsAreCurrent(t *testing.T) {
	want, err := Build(crdsDir())
	if err != nil {
		t.Fatalf("reading the operator CRDs (set KRM_FLINK_CRDS_DIR): %v", err)
	}
	got, err := os.ReadFile("facts.txt")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(got), want); diff != "" {
		t.Errorf("facts.txt is stale; run go generate ./internal/flinkcrd (-committed +from CRDs):\n%s", diff)
	}
}

// TestBuildFoldsReleases builds facts from hand-made CRDs: a field added in
// one release, one removed, a shape change and an enum value added.
func TestBuildFoldsReleases(t *testing.T) {
	dir := t.TempDir()
	crd := func(release, props string) {
		d := filepath.Join(dir, releaseDirPrefix+release)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		text := `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: flink.apache.org
  names: {kind: FlinkThing}
  versions:
  - name: v1beta1
    served: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
` + props
		if err := os.WriteFile(filepath.Join(d, "things.yaml"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	crd("1.1.0", `
              old: {type: string}
              conf: {type: object, additionalProperties: {type: string}}
              mode: {type: string, enum: [a]}
              podTemplate: {type: object, properties: {spec: {type: object}}}
`)
	crd("1.2.0", `
              conf: {x-kubernetes-preserve-unknown-fields: true}
              mode: {type: string, enum: [a, b]}
              added: {type: array, items: {type: integer}}
              podTemplate: {type: object, properties: {spec: {type: object}}}
`)
	got, err := Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := `releases 1.1 1.2
FlinkThing spec object 1.1
FlinkThing spec.added array 1.2
FlinkThing spec.added[] integer 1.2
FlinkThing spec.conf map 1.1 1.1
FlinkThing spec.conf open 1.2
FlinkThing spec.conf.* string 1.1 1.1
FlinkThing spec.mode string 1.1
FlinkThing spec.mode=a 1.1
FlinkThing spec.mode=b 1.2
FlinkThing spec.old string 1.1 1.1
FlinkThing spec.podTemplate pod 1.1
`
	if diff := cmp.Diff(want, stripComments(got)); diff != "" {
		t.Errorf("facts (-want +got):\n%s", diff)
	}
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(line, "#") {
			b.WriteString(line)
		}
	}
	return b.String()
}
