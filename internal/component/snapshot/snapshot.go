// Package snapshot renders the FlinkStateSnapshot objects jobs and session
// jobs declare in spec.snapshots, each referencing its job. They are a
// component (and GitOps layer) of their own because the operator's webhook
// refuses a snapshot whose job does not exist yet: they are applied after
// the workloads.
package snapshot

import (
	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Name is the component's name and output folder.
const Name = "snapshots"

// Renderer renders FlinkStateSnapshots.
type Renderer struct{}

var _ component.Renderer = Renderer{}

// Name implements component.Renderer.
func (Renderer) Name() string { return Name }

// Render implements component.Renderer.
func (Renderer) Render(p *resolve.Plan) ([]*manifest.Object, error) {
	var out []*manifest.Object
	for _, j := range p.Jobs {
		for _, s := range j.Spec.Snapshots {
			out = append(out, Snapshot(p, j.Metadata, j.Spec.Owner, "FlinkDeployment", s))
		}
	}
	for _, j := range p.SessionJobs {
		for _, s := range j.Spec.Snapshots {
			out = append(out, Snapshot(p, j.Metadata, j.Spec.Owner, "FlinkSessionJob", s))
		}
	}
	return out, nil
}

// Snapshot renders one snapshot of the job named by meta, of kind jobKind.
func Snapshot(p *resolve.Plan, meta api.ObjectMeta, owner, jobKind string, s api.Snapshot) *manifest.Object {
	spec := map[string]any{
		"jobReference": map[string]any{"kind": jobKind, "name": meta.Name},
	}
	if s.BackoffLimit != nil {
		spec["backoffLimit"] = int64(*s.BackoffLimit)
	}
	if s.Type == api.SnapshotCheckpoint {
		spec["checkpoint"] = map[string]any{}
	} else {
		sp := map[string]any{}
		if s.AlreadyExists != nil {
			sp["alreadyExists"] = *s.AlreadyExists
		}
		if s.DisposeOnDelete != nil {
			sp["disposeOnDelete"] = *s.DisposeOnDelete
		}
		if s.FormatType != "" {
			sp["formatType"] = s.FormatType
		}
		if s.Path != "" {
			sp["path"] = s.Path
		}
		spec["savepoint"] = sp
	}
	return manifest.New(Name, map[string]any{
		"apiVersion": "flink.apache.org/v1beta1",
		"kind":       "FlinkStateSnapshot",
		"metadata": map[string]any{
			"name":      s.ObjectNameFor(meta.Name),
			"namespace": meta.Namespace,
			"labels": map[string]any{
				"app.kubernetes.io/name":     meta.Name,
				"app.kubernetes.io/instance": s.ObjectNameFor(meta.Name),
				"app.kubernetes.io/part-of":  "flink",
				"krm-flink.io/environment":   p.Env.Name,
				"krm-flink.io/owner":         owner,
			},
		},
		"spec": spec,
	})
}
