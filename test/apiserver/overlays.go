package apiserver

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// kustomizationFiles are the names kustomize recognises for a kustomization.
var kustomizationFiles = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// FindOverlays returns the folders overlaysDir/*/ that hold a kustomization, sorted.
func FindOverlays(overlaysDir string) ([]string, error) {
	entries, err := os.ReadDir(overlaysDir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		for _, k := range kustomizationFiles {
			if _, err := os.Stat(filepath.Join(overlaysDir, e.Name(), k)); err == nil {
				dirs = append(dirs, filepath.Join(overlaysDir, e.Name()))
				break
			}
		}
	}
	sort.Strings(dirs)
	return dirs, nil
}

// BuildOverlay runs kustomize in process on dir the way Argo CD and Flux do
// (plain `kustomize build`: no plugins, no exec functions, no Helm, load
// restrictions on) and returns the objects.
func BuildOverlay(dir string) ([]*unstructured.Unstructured, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	rm, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	var objs []*unstructured.Unstructured
	for _, r := range rm.Resources() {
		// Through JSON: kyaml's Map() holds Go ints, which the unstructured
		// helpers cannot deep-copy.
		data, err := r.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("kustomize build %s: %s: %w", dir, r.CurId(), err)
		}
		m, err := jsonObject(data)
		if err != nil {
			return nil, fmt.Errorf("kustomize build %s: %s: %w", dir, r.CurId(), err)
		}
		objs = append(objs, &unstructured.Unstructured{Object: m})
	}
	return objs, nil
}

// ValidateOverlays builds every overlay overlaysDir/*/ and validates its
// objects with ValidateObjects against the CRDs of crdDirs, one subtest per
// overlay (named after its folder). No overlay at all is a failure.
func ValidateOverlays(t *testing.T, overlaysDir string, crdDirs []string) {
	t.Helper()
	dirs, err := FindOverlays(overlaysDir)
	if err != nil {
		t.Fatalf("listing overlays: %v", err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no overlays found in %s; run make render", overlaysDir)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			objs, err := BuildOverlay(dir)
			if err != nil {
				t.Fatalf("%v", err)
			}
			if len(objs) == 0 {
				t.Fatalf("kustomize build %s rendered no objects", dir)
			}
			ValidateObjects(t, crdDirs, objs)
		})
	}
}
