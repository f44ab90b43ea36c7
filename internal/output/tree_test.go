package output

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/krm-flink/krm-flink/internal/manifest"
)

// TestMarshalDecodeRoundTrip checks that the one encoder and the one
// decoder agree: values that YAML 1.1 and JSON could confuse come back as
// they went in.
func TestMarshalDecodeRoundTrip(t *testing.T) {
	obj := map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "x"},
		"data": map[string]any{
			"yes": "yes", "on": "off", "y": "n", "true": "true", "null": "null", "~": "~", "empty": "",
			"int": "1", "float": "1.5", "exp": "1e3", "octal": "0o17", "hex": "0x1F", "base60": "190:20:30",
			"date": "2001-12-14", "lead": " lead", "trail": "trail ", "colon": "a: b", "hash": "a #b",
			"multi": "line1\nline2\n", "tab": "a\tb", "unicode": "émoji 🎉", "dash": "- x", "quote": `"q'`,
		},
		"spec": map[string]any{
			"n": int64(3), "f": 2.5, "big": 1e21, "neg": int64(-7), "b": true, "nil": nil,
			"million": int64(1000000), "maxint": int64(9223372036854775807), "small": 1e-7,
			"list": []any{"a", int64(1), false, map[string]any{"k": "v"}, []any{}}, "m": map[string]any{},
		},
	}
	data, err := Marshal(manifest.New("c", obj))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := manifest.ParseYAML("c", data)
	if err != nil || len(objs) != 1 {
		t.Fatalf("%d objects, %v:\n%s", len(objs), err, data)
	}
	if !reflect.DeepEqual(objs[0].Object, obj) {
		t.Errorf("decoded\n%#v\nwant\n%#v\nfrom\n%s", objs[0].Object, obj, data)
	}
}

// TestCommittedFilesAreFixedPoints decodes every file krm-flink wrote into
// the repository (overlays and golden trees) and encodes it again: the
// bytes must not change, or the committed output is not what a run writes.
func TestCommittedFilesAreFixedPoints(t *testing.T) {
	n := 0
	for _, dir := range []string{"../../overlays", "../../testdata"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil || !bytes.HasPrefix(data, []byte(Header)) {
				return err
			}
			n++
			docs := manifest.Decode(data)
			if docs.Err != nil || len(docs.Maps) != 1 {
				t.Errorf("%s: %d documents, %v", p, len(docs.Maps), docs.Err)
				return nil
			}
			again, err := Marshal(manifest.New("", docs.Maps[0]))
			if err != nil {
				t.Errorf("%s: %v", p, err)
			} else if !bytes.Equal(again, data) {
				t.Errorf("%s: encoded again differs:\n%s", p, again)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 100 {
		t.Errorf("only %d generated files found", n)
	}
}

func TestBuild(t *testing.T) {
	var objs []*manifest.Object
	for i := range 50 {
		objs = append(objs, manifest.New("rbac", map[string]any{
			"apiVersion": "v1", "kind": "ServiceAccount",
			"metadata": map[string]any{"name": fmt.Sprintf("sa-%02d", i), "namespace": "ns"},
		}))
	}
	tree, err := Build(objs, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Header + "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa-07\n  namespace: ns\n"
	if got := string(tree["infrastructure/rbac/ns/serviceaccount-sa-07.yaml"]); got != want {
		t.Errorf("serviceaccount-sa-07.yaml = %q, want %q", got, want)
	}
	if got, want := string(tree[KustomizationFile]), Header+"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- infrastructure\n"; got != want {
		t.Errorf("%s = %q, want %q", KustomizationFile, got, want)
	}
	if len(tree) != 52 {
		t.Errorf("%d files, want 52: %v", len(tree), tree.Paths())
	}
	if _, err := Build(append(objs, objs[3]), nil); err == nil || !strings.Contains(err.Error(), "two objects map to the file infrastructure/rbac/ns/serviceaccount-sa-03.yaml") {
		t.Errorf("duplicate: %v", err)
	}
}

// TestBuilderReusesEqualObjects checks that a Builder gives an object equal
// to one built before (in another environment) the bytes Marshal gives it,
// and that a changed object at the same path is encoded anew.
func TestBuilderReusesEqualObjects(t *testing.T) {
	crd := func(desc string) *manifest.Object {
		return manifest.New("flink-operator", map[string]any{
			"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
			"metadata": map[string]any{"name": "xs.example.com"},
			"spec":     map[string]any{"group": "example.com", "description": desc, "n": float64(1)},
		})
	}
	var b Builder
	dev, err := b.Build([]*manifest.Object{crd("same")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := Path(crd("same"))
	prod, err := b.Build([]*manifest.Object{crd("same")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Marshal(crd("same"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dev[p], want) || !bytes.Equal(prod[p], want) {
		t.Errorf("equal objects: got\n%s\nand\n%s\nwant\n%s", dev[p], prod[p], want)
	}
	qa, err := b.Build([]*manifest.Object{crd("changed")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := Marshal(crd("changed")); !bytes.Equal(qa[p], want) {
		t.Errorf("changed object: got\n%s\nwant\n%s", qa[p], want)
	}
	// A number of another Go type is another object to the cache, though
	// it may encode alike: never the wrong bytes, at worst one encode more.
	other := crd("same")
	other.Object["spec"].(map[string]any)["n"] = int64(2)
	got, err := b.Build([]*manifest.Object{other}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := Marshal(other); !bytes.Equal(got[p], want) {
		t.Errorf("int64 field: got\n%s\nwant\n%s", got[p], want)
	}
}
