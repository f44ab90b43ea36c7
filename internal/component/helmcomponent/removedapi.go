package helmcomponent

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/version"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// checkBuiltinAPIs refuses objects of built-in APIs the platform's
// Kubernetes no longer serves, as k8s.io/api's lifecycle tags (what
// kube-apiserver's deprecation warnings read) tell: a chart that does not
// gate such an object on .Capabilities renders it anyway, and the cluster
// would refuse the whole sync. A kind that a built-in group version no
// longer knows at all (k8s.io/api deleted its type, as with
// PodSecurityPolicy) has no lifecycle tags: deletedKinds knows the common
// ones, and any other is a warning.
func checkBuiltinAPIs(p *resolve.Plan, name, what string, objs []*manifest.Object) problem.List {
	target, err := version.ParseGeneric(p.Platform.Spec.KubernetesVersion)
	if err != nil {
		return nil // validated with the platform
	}
	file, ref := PlatformRef(p)
	hint := fmt.Sprintf("leave it out through the chart's values, or drop it with a %s.drop selector", Field(name))
	var probs problem.List
	for _, o := range objs {
		gvk := o.GroupVersionKind()
		if !scheme.Scheme.IsVersionRegistered(gvk.GroupVersion()) {
			continue // not a built-in API
		}
		if v, ok := deletedKinds[gvk]; ok {
			if target.AtLeast(version.MajorMinor(v[0], v[1])) {
				probs = append(probs, removedError(p, name, what, o, v[0], v[1], hint))
			}
			continue
		}
		obj, err := scheme.Scheme.New(gvk)
		if err != nil {
			probs = append(probs, problem.Warningf(file, ref, Field(name),
				"%s renders %s %s of %s, a kind current Kubernetes releases no longer serve; unless the platform's Kubernetes (%s) still does, %s",
				what, gvk.Kind, objectName(o), o.GetAPIVersion(), p.Platform.Spec.KubernetesVersion, hint))
			continue
		}
		lifecycle, ok := obj.(interface{ APILifecycleRemoved() (int, int) })
		if !ok {
			continue
		}
		major, minor := lifecycle.APILifecycleRemoved()
		if (major != 0 || minor != 0) && target.AtLeast(version.MajorMinor(uint(major), uint(minor))) {
			probs = append(probs, removedError(p, name, what, o, uint(major), uint(minor), hint))
		}
	}
	return probs
}

// deletedKinds are built-in kinds whose Go types k8s.io/api has deleted,
// lifecycle tags and all, with the release that stopped serving them.
var deletedKinds = map[schema.GroupVersionKind][2]uint{
	{Group: "policy", Version: "v1beta1", Kind: "PodSecurityPolicy"}:     {1, 25},
	{Group: "extensions", Version: "v1beta1", Kind: "PodSecurityPolicy"}: {1, 16},
}

func removedError(p *resolve.Plan, name, what string, o *manifest.Object, major, minor uint, hint string) problem.Problem {
	file, ref := PlatformRef(p)
	return problem.Errorf(file, ref, Field(name),
		"%s renders %s %s of %s, which Kubernetes %d.%d stopped serving; the platform targets %s: %s",
		what, o.GetKind(), objectName(o), o.GetAPIVersion(), major, minor, p.Platform.Spec.KubernetesVersion, hint)
}

func objectName(o *manifest.Object) string {
	if ns := o.GetNamespace(); ns != "" {
		return ns + "/" + o.GetName()
	}
	return o.GetName()
}
