package helmcomponent

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/manifest"
)

// TestHooksForUnknownEventsAreLeftOut: Helm never applies a hook whose
// events it does not know, so neither does krm-flink, and it says so.
func TestHooksForUnknownEventsAreLeftOut(t *testing.T) {
	hook := func(name, events string) *manifest.Object {
		return manifest.New("c", map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": name, "namespace": "ns", "annotations": map[string]any{"helm.sh/hook": events}},
		})
	}
	objs := []*manifest.Object{hook("known", "pre-install, Post-Upgrade"), hook("unknown", "pre-install,on-a-whim"), hook("tested", "test-success")}
	kept, skipped := applyHooksPolicy(objs, api.HooksKeep)
	if len(kept) != 1 || kept[0].GetName() != "known" {
		t.Errorf("kept %d objects, want only known", len(kept))
	}
	want := []string{`ConfigMap ns/unknown: helm.sh/hook="pre-install,on-a-whim" names an event Helm does not know, so Helm would never apply it; left out`}
	if diff := cmp.Diff(want, skipped); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}
