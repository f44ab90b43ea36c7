package helmcomponent

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// podSpecPaths are where the built-in workload kinds keep their pod spec.
var podSpecPaths = map[string][]string{
	"Pod":         {"spec"},
	"Deployment":  {"spec", "template", "spec"},
	"ReplicaSet":  {"spec", "template", "spec"},
	"StatefulSet": {"spec", "template", "spec"},
	"DaemonSet":   {"spec", "template", "spec"},
	"Job":         {"spec", "template", "spec"},
	"CronJob":     {"spec", "jobTemplate", "spec", "template", "spec"},
}

// checkImageDigests refuses, when the platform requires digests, every
// container image of a component's workloads that is given by tag alone:
// the same rule as for the Flink images, so --require-digests vouches for
// everything the overlays run.
func checkImageDigests(p *resolve.Plan, name, what string, objs []*manifest.Object) problem.List {
	if !p.Platform.Spec.RequireDigests {
		return nil
	}
	file, ref := PlatformRef(p)
	var probs problem.List
	for _, o := range objs {
		path, ok := podSpecPaths[o.GetKind()]
		if !ok {
			continue
		}
		for _, list := range []string{"initContainers", "containers", "ephemeralContainers"} {
			containers, _, _ := unstructured.NestedSlice(o.Object, append(append([]string{}, path...), list)...)
			for _, c := range containers {
				m, _ := c.(map[string]any)
				image, _ := m["image"].(string)
				if errs := api.ValidateImage(field.NewPath("image"), image, true); len(errs) > 0 {
					probs = append(probs, problem.Errorf(file, ref, Field(name),
						"%s renders %s %s, container %v, with image %q: %s; pin it through the chart's image values",
						what, o.GetKind(), objectName(o), m["name"], image, errs[0].Detail))
				}
			}
		}
	}
	return probs
}
