package gitops

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/itchyny/gojq"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"sigs.k8s.io/yaml"

	"github.com/krm-flink/krm-flink/internal/manifest"
)

// upstreamCRDs reads every real CRD under $KRM_FLINK_CRDS_DIR or
// <repo>/../shared/crds (the operator 1.7.0 to 1.15.0, cert-manager,
// Karpenter): a missing folder fails the test.
func upstreamCRDs(t *testing.T) []*manifest.Object {
	t.Helper()
	base := os.Getenv("KRM_FLINK_CRDS_DIR")
	if base == "" {
		base = filepath.Join("..", "..", "..", "shared", "crds")
	}
	files, err := filepath.Glob(filepath.Join(base, "*", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs under %s (set KRM_FLINK_CRDS_DIR): %v", base, err)
	}
	var out []*manifest.Object
	for _, f := range files {
		if strings.Contains(f, "argo-cd") || strings.Contains(f, "flux-") {
			continue // the GitOps tools' own CRDs: krm-flink does not render them
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if m["kind"] != "CustomResourceDefinition" {
			continue
		}
		out = append(out, manifest.New(filepath.Base(filepath.Dir(f)), m))
	}
	return out
}

// live is the CRD as the API server returns it: decoded into the
// apiextensions v1 types (zero values of omitempty fields dropped) and
// defaulted.
func live(t *testing.T, o *manifest.Object) map[string]any {
	t.Helper()
	data, err := json.Marshal(o.Object)
	if err != nil {
		t.Fatal(err)
	}
	var crd apiextv1.CustomResourceDefinition
	if err := json.Unmarshal(data, &crd); err != nil {
		t.Fatal(err)
	}
	apiextv1.SetObjectDefaults_CustomResourceDefinition(&crd)
	if data, err = json.Marshal(&crd); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// normalize deletes the ignored fields the way Argo CD does: del(expr).
func normalize(t *testing.T, obj map[string]any, exprs []any) map[string]any {
	t.Helper()
	var v any = obj
	for _, e := range exprs {
		q, err := gojq.Parse("del(" + e.(string) + ")")
		if err != nil {
			t.Fatalf("jqPathExpression %s: %v", e, err)
		}
		got, ok := q.Run(v).Next()
		if !ok {
			t.Fatalf("%s: no result", e)
		}
		if err, ok := got.(error); ok {
			t.Fatalf("%s: %v", e, err)
		}
		v = got
	}
	return v.(map[string]any)
}

// drift lists the fields of want (what Git holds) that got (the live
// object) lacks or holds otherwise: what Argo CD shows as OutOfSync.
// Fields only the live object has are not drift.
func drift(path string, want, got any, out map[string]bool) {
	switch w := want.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		for k, v := range w {
			if v == nil {
				continue // a null in Git is no field
			}
			gv, ok := g[k]
			if !ok {
				out[path+"."+k+" missing"] = true
				continue
			}
			drift(path+"."+k, v, gv, out)
		}
	case []any:
		g, _ := got.([]any)
		if len(g) != len(w) {
			out[path+" length"] = true
			return
		}
		for i := range w {
			drift(path+"[]", w[i], g[i], out)
		}
	default:
		// JSON numbers decode alike on both sides; compare as text.
		if fmt.Sprint(want) != fmt.Sprint(got) && !reflect.DeepEqual(want, got) {
			out[path+" changed"] = true
		}
	}
}

// TestIgnoreDifferencesCoverWhatTheAPIServerDrops checks, for every real
// CRD, that the rendered Application's ignoreDifferences leave no drift
// between the CRD in Git and the CRD the API server returns, and that
// without them the Flink operator's CRDs do drift (the priority 0 printer
// columns).
func TestIgnoreDifferencesCoverWhatTheAPIServerDrops(t *testing.T) {
	crds := upstreamCRDs(t)
	drifted := 0
	for _, o := range crds {
		name := o.Component + "/" + o.GetName()
		var exprs []any
		for _, e := range IgnoreDifferences([]*manifest.Object{o}) {
			if e := e.(map[string]any); e["kind"] == "CustomResourceDefinition" {
				exprs = e["jqPathExpressions"].([]any)
			}
		}
		l := live(t, o)
		raw := map[string]bool{}
		drift("", o.Object, l, raw)
		if len(raw) > 0 {
			drifted++
		}
		got := map[string]bool{}
		drift("", normalize(t, o.Object, exprs), normalize(t, l, exprs), got)
		if len(got) > 0 {
			keys := make([]string, 0, len(got))
			for k := range got {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			t.Errorf("%s drifts despite ignoreDifferences: %v", name, keys)
		}
		if strings.HasPrefix(o.Component, "flink-kubernetes-operator") && len(raw) == 0 {
			t.Errorf("%s: no drift without ignoreDifferences; the test would not see a missing entry", name)
		}
	}
	if drifted == 0 {
		t.Error("no CRD drifts without ignoreDifferences")
	}
}

// The priority expression removes only zero priorities.
func TestZeroPriorityExpressionKeepsOthers(t *testing.T) {
	o := map[string]any{"spec": map[string]any{"versions": []any{map[string]any{"additionalPrinterColumns": []any{
		map[string]any{"name": "a", "priority": float64(0)},
		map[string]any{"name": "b", "priority": float64(1)},
		map[string]any{"name": "c"},
	}}}}}
	got := normalize(t, o, []any{zeroPrinterColumnPriority})
	cols := got["spec"].(map[string]any)["versions"].([]any)[0].(map[string]any)["additionalPrinterColumns"].([]any)
	if _, ok := cols[0].(map[string]any)["priority"]; ok {
		t.Error("priority 0 kept")
	}
	if cols[1].(map[string]any)["priority"] != float64(1) {
		t.Error("priority 1 removed")
	}
	if len(cols) != 3 {
		t.Errorf("columns %v", cols)
	}
}

const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// lastAppliedSize is the size the object's annotations would have after a
// client-side apply: kubectl stores the object as compact JSON (and a
// newline) in the last-applied annotation, and the API server limits all
// annotations together, keys included.
func lastAppliedSize(t *testing.T, o *manifest.Object) int {
	t.Helper()
	c := o.DeepCopy()
	ann := c.GetAnnotations()
	delete(ann, lastAppliedAnnotation)
	c.SetAnnotations(ann)
	data, err := json.Marshal(c.Object)
	if err != nil {
		t.Fatal(err)
	}
	size := len(lastAppliedAnnotation) + len(data) + 1
	for k, v := range ann {
		size += len(k) + len(v)
	}
	return size
}

// applyable fails for an object whose last-applied annotation would exceed
// the limit unless it is applied server-side or replaced.
func applyable(t *testing.T, o *manifest.Object) error {
	size := lastAppliedSize(t, o)
	if size <= apivalidation.TotalAnnotationSizeLimitB {
		return nil
	}
	for _, opt := range splitOptions(o.GetAnnotations()[SyncOptionsAnnotation]) {
		if opt == "ServerSideApply=true" || opt == "Replace=true" {
			return nil
		}
	}
	return fmt.Errorf("%s %s: %d bytes of annotations after a client-side apply (limit %d) and neither ServerSideApply=true nor Replace=true",
		o.GetKind(), o.GetName(), size, apivalidation.TotalAnnotationSizeLimitB)
}

// renderedCRDs reads every CRD krm-flink rendered into the example's
// overlays and the golden trees.
func renderedCRDs(t *testing.T) []*manifest.Object {
	t.Helper()
	var files []string
	for _, glob := range []string{"../../overlays/*/crds/*/*/*.yaml", "../../testdata/render/*/expected/*/crds/*/*/*.yaml"} {
		fs, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	if len(files) == 0 {
		t.Fatal("no rendered CRDs found")
	}
	var out []*manifest.Object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, manifest.New(f, m))
	}
	return out
}

// TestOversizeCRDsAreAppliedServerSide checks every CRD krm-flink renders,
// and every real upstream CRD as Annotate leaves it: one whose
// last-applied annotation would exceed 262,144 bytes must get
// ServerSideApply=true (or Replace=true), and the Application applies
// server-side too. No real CRD is that large today (the largest is logged),
// so a grown copy of the largest checks the check: it fails before
// Annotate and passes after.
func TestOversizeCRDsAreAppliedServerSide(t *testing.T) {
	upstream := upstreamCRDs(t)
	var largest *manifest.Object
	for _, o := range upstream {
		if largest == nil || lastAppliedSize(t, o) > lastAppliedSize(t, largest) {
			largest = o
		}
	}
	t.Logf("largest last-applied annotation: %s %s, %d bytes", largest.Component, largest.GetName(), lastAppliedSize(t, largest))

	grown := &manifest.Object{Component: "grown", Unstructured: largest.DeepCopy()}
	// A longer description, as the next operator release may bring.
	pad := strings.Repeat("x", apivalidation.TotalAnnotationSizeLimitB-lastAppliedSize(t, largest)+1)
	versions := grown.Object["spec"].(map[string]any)["versions"].([]any)
	versions[0].(map[string]any)["schema"].(map[string]any)["openAPIV3Schema"].(map[string]any)["description"] = pad
	if applyable(t, grown) == nil {
		t.Fatalf("a CRD of %d bytes passes without server-side apply", lastAppliedSize(t, grown))
	}
	for _, o := range append(Annotate(append(upstream, grown)), renderedCRDs(t)...) {
		if err := applyable(t, o); err != nil {
			t.Errorf("%s: %v", o.Component, err)
		}
	}
	app := ArgoApplication("dev", Argo{Prefix: "flink"}, nil)
	opts := app.Object["spec"].(map[string]any)["syncPolicy"].(map[string]any)["syncOptions"].([]any)
	if !slices.Contains(opts, any("ServerSideApply=true")) {
		t.Errorf("Application syncOptions %v lack ServerSideApply=true", opts)
	}
}
