package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	fluxkustomize "github.com/fluxcd/pkg/kustomize"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/krm-flink/krm-flink/internal/testutil"
)

// TestFluxBuildsWhatKustomizeBuilds builds every folder with a kustomization
// (environment, layer, flux/, argocd/) of overlays/ and of every golden
// render tree as Flux's kustomize-controller does (its generator, then
// SecureBuild, from github.com/fluxcd/pkg/kustomize) and requires the same
// objects as the plain kustomize binary.
func TestFluxBuildsWhatKustomizeBuilds(t *testing.T) {
	kustomize := testutil.Tool(t, "kustomize")
	trees := map[string]string{"overlays": filepath.Join(repoRoot, "overlays")}
	goldens, err := filepath.Glob(filepath.Join(repoRoot, "testdata", "render", "*", "expected"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range goldens {
		if len(kustomizationDirs(t, g)) > 0 {
			trees[filepath.Base(filepath.Dir(g))] = g
		}
	}
	if len(trees) < 2 {
		t.Fatalf("found %d trees with kustomizations, want overlays/ and the golden renders", len(trees))
	}
	for name, tree := range trees {
		t.Run(name, func(t *testing.T) {
			// The source root as Flux fetches it: the tree at overlays/,
			// where the rendered Flux Kustomizations' spec.path points.
			root := t.TempDir()
			testutil.CopyDir(t, tree, filepath.Join(root, "overlays"))
			fluxKs := fluxKustomizations(t, tree)
			dirs := kustomizationDirs(t, tree)
			for path := range fluxKs {
				if !slices.Contains(dirs, strings.TrimPrefix(path, "overlays/")) {
					t.Errorf("Flux Kustomization path ./%s has no kustomization.yaml", path)
				}
			}
			for _, rel := range dirs {
				t.Run(filepath.ToSlash(rel), func(t *testing.T) {
					want := decodeObjects(t, []byte(build(t, kustomize, filepath.Join(tree, rel))))
					got := decodeObjects(t, fluxBuild(t, root, filepath.Join("overlays", rel), fluxKs))
					if len(want) == 0 {
						t.Fatal("kustomize built no objects")
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("Flux builds other objects than kustomize (-kustomize +flux):\n%s", diff)
					}
				})
			}
		})
	}
}

// fluxBuild runs the controller's two steps on root/rel: the generator
// merges the matching Flux Kustomization (if any) into kustomization.yaml,
// then SecureBuild builds it confined to root.
func fluxBuild(t *testing.T, root, rel string, fluxKs map[string]unstructured.Unstructured) []byte {
	t.Helper()
	ks, ok := fluxKs[filepath.ToSlash(rel)]
	if !ok {
		ks = unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
			"metadata": map[string]any{"name": "test", "namespace": "flux-system"},
			"spec":     map[string]any{"path": "./" + filepath.ToSlash(rel)},
		}}
	}
	dir := filepath.Join(root, rel)
	if _, err := fluxkustomize.NewGenerator(root, ks).WriteFile(dir); err != nil {
		t.Fatalf("flux generator on %s: %v", rel, err)
	}
	res, err := fluxkustomize.SecureBuild(root, dir, false)
	if err != nil {
		t.Fatalf("flux build of %s: %v", rel, err)
	}
	out, err := res.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fluxKustomizations reads the rendered Flux Kustomizations of every flux/
// folder in tree, by their spec.path (without "./").
func fluxKustomizations(t *testing.T, tree string) map[string]unstructured.Unstructured {
	t.Helper()
	byPath := map[string]unstructured.Unstructured{}
	for p, data := range testutil.ReadTree(t, tree) {
		if !strings.Contains("/"+p, "/flux/") {
			continue
		}
		for _, o := range decodeObjects(t, []byte(data)) {
			if o.GetAPIVersion() != "kustomize.toolkit.fluxcd.io/v1" || o.GetKind() != "Kustomization" {
				continue
			}
			// Substitution and decryption need the cluster; this test does not model them.
			for _, field := range []string{"postBuild", "decryption"} {
				if _, ok := o.Object["spec"].(map[string]any)[field]; ok {
					t.Fatalf("%s: spec.%s is set; extend this test to apply it", p, field)
				}
			}
			path, _, _ := unstructured.NestedString(o.Object, "spec", "path")
			byPath[strings.TrimPrefix(filepath.ToSlash(filepath.Clean(path)), "./")] = o
		}
	}
	return byPath
}

// kustomizationDirs lists, relative to tree, every folder with a kustomization.yaml.
func kustomizationDirs(t *testing.T, tree string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "kustomization.yaml" {
			return err
		}
		rel, err := filepath.Rel(tree, filepath.Dir(p))
		dirs = append(dirs, rel)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	return dirs
}

// decodeObjects parses a YAML stream and sorts the objects by
// apiVersion, kind, namespace and name.
func decodeObjects(t *testing.T, data []byte) []unstructured.Unstructured {
	t.Helper()
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("invalid YAML: %v", err)
		}
		if len(m) > 0 {
			objs = append(objs, unstructured.Unstructured{Object: m})
		}
	}
	key := func(o unstructured.Unstructured) string {
		return fmt.Sprintf("%s\x00%s\x00%s\x00%s", o.GetAPIVersion(), o.GetKind(), o.GetNamespace(), o.GetName())
	}
	sort.SliceStable(objs, func(i, j int) bool { return key(objs[i]) < key(objs[j]) })
	return objs
}
