package render

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/krm-flink/krm-flink/internal/flinkcrd"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// checkFlinkExtra checks a pass-through object of the Flink operator's
// group as the objects krm-flink renders are checked: against the CRD of
// the operator release the environment pins (its kind, every field and
// enum value), reported at the object's own file and field. A
// FlinkStateSnapshot is also held to what the operator's webhook asks of
// it.
func checkFlinkExtra(p *resolve.Plan, e *input.Extra) problem.List {
	o := e.Object
	if o.GroupVersionKind().Group != flinkcrd.Group {
		return nil
	}
	var probs problem.List
	add := func(field, format string, args ...any) {
		probs = append(probs, problem.Errorf(e.File, e.Ref(), field, format, args...))
	}
	kind := o.GetKind()
	if _, known := flinkcrd.KindSince(kind); !known {
		rs := flinkcrd.Releases()
		add("kind", "Unsupported value: %q: the Flink operator releases krm-flink knows (%s to %s) have %s", kind, rs[0], rs[len(rs)-1], strings.Join(flinkcrd.Kinds(), ", "))
		return probs
	}
	if o.GetAPIVersion() != flinkcrd.APIVersion {
		add("apiVersion", "Unsupported value: %q: the Flink operator serves %s as %s", o.GetAPIVersion(), kind, flinkcrd.APIVersion)
		return probs
	}
	if kind == flinkcrd.KindFlinkStateSnapshot {
		probs = append(probs, checkSnapshotExtra(e)...)
	}
	pinned := resolve.OperatorVersion(&p.Platform.Spec)
	if release, ok := flinkcrd.ParseRelease(pinned); ok {
		covered, _ := flinkcrd.Covered(release)
		if since, _ := flinkcrd.KindSince(kind); covered.Less(since) {
			add("kind", "the Flink operator %s (spec.components.flink-operator.version on the FlinkPlatform) has no %s CRD; %s is the first release with it", pinned, kind, since)
			return probs
		}
		for _, f := range flinkcrd.Check(kind, release, o.Object) {
			add(f.PathString(), "%s", f.Describe(kind, pinned))
		}
	}
	return probs
}

// checkSnapshotExtra reports a pass-through FlinkStateSnapshot the
// operator's webhook would refuse for want of a job: one naming none must
// register an existing savepoint.
func checkSnapshotExtra(e *input.Extra) problem.List {
	o := e.Object.Object
	ref, _, _ := unstructured.NestedFieldNoCopy(o, "spec", "jobReference")
	if m, ok := ref.(map[string]any); ok && m != nil {
		return nil
	}
	if exists, _, _ := unstructured.NestedBool(o, "spec", "savepoint", "alreadyExists"); exists {
		return nil
	}
	return problem.List{problem.Errorf(e.File, e.Ref(), "spec.jobReference",
		"Required value: the Flink operator refuses a FlinkStateSnapshot without a job unless it registers an existing savepoint (spec.savepoint.alreadyExists: true with its path); name the job, or declare the snapshot in the job's spec.snapshots")}
}
