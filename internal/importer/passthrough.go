package importer

import (
	"path"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/krm-flink/krm-flink/internal/problem"
)

// Kept is an operator object import writes as it is, an object of the
// team's own that render passes through to the overlays: a
// FlinkStateSnapshot naming no job, which registers an existing savepoint
// so that it is managed (disposed of, listed) by the operator. It has no
// job for its spec.snapshots to declare it in.
type Kept struct {
	Source *Object
	// Path is its file, <namespace>/<kind>-<name>.yaml (lower-case kind, as
	// render names the objects it writes), slash-separated.
	Path string
	// Data is the file's content: the object's apiVersion, kind, name,
	// namespace, labels, annotations and spec, without what import ignores
	// (status, server-set metadata, the operator's annotations and labels).
	Data []byte
	// Rendered is the object as render passes it through, and Differences
	// what differs from the original (Compare).
	Rendered    map[string]any
	Differences []Difference
}

// keepOrphanSnapshots takes the FlinkStateSnapshots without a
// spec.jobReference out of snaps. Those that register an existing
// savepoint (spec.savepoint.alreadyExists) are kept as objects of their
// own; the operator refuses any other snapshot without a job, so that is
// an error. The rest, naming a job, are returned for their jobs.
func keepOrphanSnapshots(snaps []*Object) ([]*Object, []*Kept, problem.List) {
	var withJob []*Object
	var kept []*Kept
	var probs problem.List
	for _, o := range snaps {
		norm := Normalize(o.Data)
		if _, ok := lookupMap(norm, "spec", "jobReference"); ok {
			withJob = append(withJob, o)
			continue
		}
		if exists, _, _ := unstructured.NestedFieldNoCopy(norm, "spec", "savepoint", "alreadyExists"); exists != true {
			probs = append(probs, problem.Errorf(o.where(), o.Ref(), "spec.jobReference",
				"required: this snapshot names no job, and the Flink operator takes a FlinkStateSnapshot without a job only when it registers an existing savepoint (spec.savepoint.alreadyExists: true); name its job, or leave it out of the import"))
			continue
		}
		k, err := keep(o, norm)
		if err != nil {
			probs = append(probs, problem.Errorf(o.where(), o.Ref(), "", "%v", err))
			continue
		}
		kept = append(kept, k)
	}
	return withJob, kept, probs
}

// keep writes a normalized object as the file of an object of the team's
// own. Only its identity, labels, annotations and spec are written: the
// rest of its metadata (owner references, generateName) is the cluster's,
// and Compare reports it as lost.
func keep(o *Object, norm map[string]any) (*Kept, error) {
	obj := keptObject{APIVersion: flinkAPIVersion, Kind: o.Kind(), Spec: norm["spec"]}
	obj.Metadata.Name, obj.Metadata.Namespace = o.Name(), o.Namespace()
	obj.Metadata.Labels, _ = metadata(norm)["labels"].(map[string]any)
	obj.Metadata.Annotations, _ = metadata(norm)["annotations"].(map[string]any)
	data, err := Marshal(obj)
	if err != nil {
		return nil, err
	}
	return &Kept{Source: o, Data: data, Path: path.Join(o.Namespace(), strings.ToLower(o.Kind())+"-"+o.Name()+".yaml")}, nil
}

// keptObject orders a kept object's fields as a person writes them.
type keptObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name        string         `json:"name"`
		Namespace   string         `json:"namespace"`
		Labels      map[string]any `json:"labels,omitempty"`
		Annotations map[string]any `json:"annotations,omitempty"`
	} `json:"metadata"`
	Spec any `json:"spec"`
}

// keptPathsFree reports a kept object whose file a job's takes (a job
// named flinkstatesnapshot-<name>): every file import writes is its own.
func keptPathsFree(kept []*Kept, jobs []*Job) ([]*Kept, problem.List) {
	byPath := map[string]*Job{}
	for _, j := range jobs {
		byPath[j.Path] = j
	}
	var out []*Kept
	var probs problem.List
	for _, k := range kept {
		if j := byPath[k.Path]; j != nil {
			probs = append(probs, problem.Errorf(k.Source.where(), k.Source.Ref(), "metadata.name",
				"would be written to %s, the file of %s %s/%s: rename one of them", k.Path, j.Source.Kind(), j.Source.Namespace(), j.Source.Name()))
			continue
		}
		out = append(out, k)
	}
	return out, probs
}

// atKept moves problems about a kept object's file to the object it came
// from; the field is the same in both.
func atKept(probs problem.List, kept []*Kept) problem.List {
	byPath := map[string]*Kept{}
	for _, k := range kept {
		byPath[k.Path] = k
	}
	out := make(problem.List, len(probs))
	for i, p := range probs {
		if k := byPath[p.File]; k != nil {
			p.File, p.Object = k.Source.where(), k.Source.Ref()
		}
		out[i] = p
	}
	return out
}
