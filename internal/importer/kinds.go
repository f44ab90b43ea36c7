package importer

import (
	"sort"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// sessionJobMappings is the table of FlinkSessionJob fields (under spec) a
// FlinkSessionJobSpec expresses one to one.
var sessionJobMappings = append([]fieldMapping{
	{[]string{"deploymentName"}, "session", nil},
	{[]string{"flinkConfiguration"}, "flinkConfiguration", toStringMap},
}, jobMappings...)

// snapshotMappings is the table of FlinkStateSnapshot fields (under spec)
// an item of a job's spec.snapshots expresses; its type is read from which
// of spec.savepoint and spec.checkpoint is set.
var snapshotMappings = []fieldMapping{
	{[]string{"backoffLimit"}, "backoffLimit", nil},
	{[]string{"savepoint", "path"}, "path", nil},
	{[]string{"savepoint", "alreadyExists"}, "alreadyExists", nil},
	{[]string{"savepoint", "disposeOnDelete"}, "disposeOnDelete", nil},
	{[]string{"savepoint", "formatType"}, "formatType", nil},
}

// toStringMap writes a map's values as the text the operator reads.
func toStringMap(v any, _ map[string]any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		out[k] = text(x)
	}
	return out
}

// blueGreenView reads a normalized FlinkBlueGreenDeployment as the
// FlinkDeployment its template describes (its metadata, the template's
// spec), with its configuration and ingress under spec.blueGreen, for
// buildSpec's table. The rest of the template is not read: Compare
// reports it.
func blueGreenView(norm map[string]any) map[string]any {
	dep, rest := splitTemplate(norm)
	spec := map[string]any{}
	for k, v := range dep["spec"].(map[string]any) {
		spec[k] = v
	}
	bg := map[string]any{}
	for _, k := range []string{"configuration", "ingress"} {
		if v, ok := rest[k]; ok {
			bg[k] = v
		}
	}
	spec["blueGreen"] = bg
	return map[string]any{"metadata": dep["metadata"], "spec": spec}
}

// buildSessionJob maps a normalized FlinkSessionJob onto a
// FlinkSessionJobSpec. Its owner is the krm-flink.io/owner label, else the
// --owner default.
func buildSessionJob(o *Object, norm map[string]any, owner string) (*api.FlinkSessionJobSpec, problem.List) {
	spec, _ := norm["spec"].(map[string]any)
	fields := mapFields(spec, norm, sessionJobMappings)
	j := &api.FlinkSessionJobSpec{APIVersion: api.APIVersion, Kind: api.KindSessionJob}
	if probs := decodeMapped(o, fields, sessionJobMappings, &j.Spec.SessionJobFields, func() any { return &api.SessionJobFields{} }); len(probs) > 0 {
		return nil, probs
	}
	minimizeRun(&j.Spec.JobRun)
	meta := metadata(norm)
	j.Metadata.Name, _ = meta["name"].(string)
	j.Metadata.Namespace, _ = meta["namespace"].(string)
	labels := stringMap(meta["labels"])
	j.Metadata.Labels = jobLabels(labels)
	j.Metadata.Annotations = jobAnnotations(stringMap(meta["annotations"]))
	j.Spec.Owner = firstNonEmpty(labels[OwnerLabel], owner)
	if j.Spec.Owner == "" {
		j.Spec.Owner = missingOwner
		return j, problem.List{problem.Errorf(o.where(), o.Ref(), "metadata.labels["+OwnerLabel+"]",
			"no owner: %s requires one; label the FlinkSessionJob %s, or run import with --owner", api.KindSessionJob, OwnerLabel)}
	}
	return j, nil
}

// attachSnapshots imports every FlinkStateSnapshot as an item of the
// spec.snapshots of the job its spec.jobReference names, which must be
// imported in the same run: a FlinkDeployment with a job (not a
// blue/green one, which cannot have snapshots) or a FlinkSessionJob. The
// item's name is the object's without the "<job>-" prefix krm-flink names
// snapshots with; an object named otherwise could not keep its name, and
// is an error. Items are sorted by name.
func attachSnapshots(snaps []*Object, jobs []*Job) problem.List {
	byRef := map[string]*Job{}
	for _, j := range jobs {
		if j.Spec != nil && j.Spec.IsSession() {
			continue
		}
		kind := j.Source.Kind()
		if kind == KindBlueGreen {
			kind = KindDeployment // a jobReference names only these two kinds
		}
		byRef[kind+"/"+j.Source.Namespace()+"/"+j.Source.Name()] = j
	}
	var probs problem.List
	for _, o := range snaps {
		norm := Normalize(o.Data)
		spec, _ := norm["spec"].(map[string]any)
		ref, _ := spec["jobReference"].(map[string]any)
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		j := byRef[kind+"/"+o.Namespace()+"/"+name]
		if ref == nil {
			probs = append(probs, problem.Errorf(o.where(), o.Ref(), "spec.jobReference",
				"required: krm-flink declares a FlinkStateSnapshot in its job's spec.snapshots, and this one names no job; keep it beside the overlays as an object of your own, or leave it out of the import"))
			continue
		}
		if j == nil {
			probs = append(probs, problem.Errorf(o.where(), o.Ref(), "spec.jobReference",
				"names %s %s/%s, which is not among the imported objects: a FlinkStateSnapshot is imported into its job's spec.snapshots, so import the job (a FlinkDeployment with spec.job and no blue/green, or a FlinkSessionJob) with it",
				firstNonEmpty(kind, "no kind"), o.Namespace(), firstNonEmpty(name, "no job")))
			continue
		}
		if j.Spec != nil && j.Spec.Spec.BlueGreen != nil {
			probs = append(probs, problem.Errorf(o.where(), o.Ref(), "spec.jobReference",
				"names the job of %s %s/%s, and a job with spec.blueGreen cannot have snapshots in krm-flink; leave the snapshot out of the import", KindBlueGreen, o.Namespace(), name))
			continue
		}
		fields := mapFields(spec, norm, snapshotMappings)
		// A name without the <job>- prefix is kept with objectName: a
		// renamed snapshot would be a new one to the operator.
		short, ok := strings.CutPrefix(o.Name(), name+"-")
		if !ok || short == "" {
			short = o.Name()
			fields["objectName"] = o.Name()
		}
		fields["name"] = short
		if _, ok := spec["checkpoint"]; ok {
			fields["type"] = api.SnapshotCheckpoint
		}
		var s api.Snapshot
		if ps := decodeMapped(o, fields, snapshotMappings, &s, func() any { return &api.Snapshot{} }); len(ps) > 0 {
			probs = append(probs, ps...)
			continue
		}
		j.Snapshots = append(j.Snapshots, &Snapshot{Source: o, Name: short, Spec: s})
	}
	for _, j := range jobs {
		sort.Slice(j.Snapshots, func(a, b int) bool { return j.Snapshots[a].Name < j.Snapshots[b].Name })
		items := make([]api.Snapshot, len(j.Snapshots))
		for i, s := range j.Snapshots {
			items[i] = s.Spec
		}
		switch {
		case len(items) == 0:
		case j.SessionJob != nil:
			j.SessionJob.Spec.Snapshots = items
		default:
			j.Spec.Spec.Snapshots = items
		}
	}
	return probs
}
