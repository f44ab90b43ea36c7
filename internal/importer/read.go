package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// FlinkGroup is the API group of the Flink Kubernetes Operator's kinds.
const FlinkGroup = "flink.apache.org"

// flinkAPIVersion is the version of the operator's kinds import reads.
const flinkAPIVersion = FlinkGroup + "/v1beta1"

// The operator's kinds import reads.
const (
	// KindDeployment becomes a FlinkJobSpec, or a FlinkSessionSpec when it
	// has no spec.job (a session cluster).
	KindDeployment = "FlinkDeployment"
	// KindSessionJob becomes a FlinkSessionJobSpec.
	KindSessionJob = "FlinkSessionJob"
	// KindSnapshot becomes an item of its job's spec.snapshots.
	KindSnapshot = "FlinkStateSnapshot"
	// KindBlueGreen becomes a FlinkJobSpec with spec.blueGreen.
	KindBlueGreen = "FlinkBlueGreenDeployment"
)

// importedKinds are the operator kinds import reads.
var importedKinds = map[string]bool{KindDeployment: true, KindSessionJob: true, KindSnapshot: true, KindBlueGreen: true}

// Object is one Flink operator object read for import, with where it came from.
type Object struct {
	File string
	// Item is the index in a List, or -1.
	Item int
	Data map[string]any
}

// Namespace and Name identify the object.
func (o *Object) Namespace() string { s, _ := metadata(o.Data)["namespace"].(string); return s }

// Name is the object's metadata.name.
func (o *Object) Name() string { s, _ := metadata(o.Data)["name"].(string); return s }

// Kind is the object's kind.
func (o *Object) Kind() string { return kindOf(o.Data) }

// Ref names the object in problems.
func (o *Object) Ref() problem.ObjectRef {
	return problem.ObjectRef{APIVersion: flinkAPIVersion, Kind: o.Kind(), Namespace: o.Namespace(), Name: o.Name()}
}

// kindOf is an object's kind; a FlinkDeployment when it names none.
func kindOf(obj map[string]any) string {
	if k := str(obj, "kind"); k != "" {
		return k
	}
	return KindDeployment
}

// where is the file, and the List item, for problems.
func (o *Object) where() string {
	if o.Item < 0 {
		return o.File
	}
	return fmt.Sprintf("%s (items[%d])", o.File, o.Item)
}

func metadata(obj map[string]any) map[string]any {
	m, _ := obj["metadata"].(map[string]any)
	return m
}

// Read reads every Flink operator object import reads in the files and folders (searched as
// render searches them), in sorted file order. A List (as kubectl get -o
// yaml prints several objects) is read item by item. An object without a
// namespace gets defaultNamespace, when given. Other operator kinds are
// errors naming the object; objects of any other kind are skipped with a
// warning.
func Read(paths []string, defaultNamespace string) ([]*Object, problem.List) {
	docs, probs := input.ReadDocuments(paths)
	var objs []*Object
	for _, d := range docs {
		f := d.File
		m, err := decode(d.JSON)
		if err != nil {
			probs = append(probs, problem.Errorf(f, d.Ref(), "", "%v", err))
			continue
		}
		if manifest.IsList(m) {
			for i, it := range m["items"].([]any) {
				im, ok := it.(map[string]any)
				if !ok {
					probs = append(probs, problem.Errorf(f, problem.ObjectRef{}, fmt.Sprintf("items[%d]", i), "not an object"))
					continue
				}
				o, ps := object(f, i, im, defaultNamespace)
				probs = append(probs, ps...)
				if o != nil {
					objs = append(objs, o)
				}
			}
			continue
		}
		o, ps := object(f, -1, m, defaultNamespace)
		probs = append(probs, ps...)
		if o != nil {
			objs = append(objs, o)
		}
	}
	objs, ps := withoutDuplicates(objs)
	return objs, append(probs, ps...)
}

// object checks one document and returns it when it is an operator object
// import reads.
func object(file string, item int, m map[string]any, defaultNamespace string) (*Object, problem.List) {
	o := &Object{File: file, Item: item, Data: m}
	apiVersion, kind := str(m, "apiVersion"), str(m, "kind")
	ref := problem.ObjectRef{APIVersion: apiVersion, Kind: kind, Namespace: o.Namespace(), Name: o.Name()}
	group, _, _ := strings.Cut(apiVersion, "/")
	switch {
	case apiVersion == "v1" && kind == "ServiceAccount":
		return nil, nil // read by Roles
	case group != FlinkGroup:
		return nil, problem.List{problem.Warningf(o.where(), ref, "", "skipped: not a Flink operator object (%s)", apiVersion)}
	case !importedKinds[kind]:
		return nil, problem.List{problem.Errorf(o.where(), ref, "kind", "unknown Flink operator kind %s", kind)}
	case apiVersion != flinkAPIVersion:
		return nil, problem.List{problem.Errorf(o.where(), ref, "apiVersion", "unsupported apiVersion %s: import reads %s", apiVersion, flinkAPIVersion)}
	case o.Name() == "":
		return nil, problem.List{problem.Errorf(o.where(), ref, "metadata.name", "required")}
	case kind == KindSnapshot && takenByOperator(m) != "":
		return nil, problem.List{problem.Warningf(o.where(), ref, "metadata.labels[snapshot.trigger-type]",
			"skipped: the operator took this snapshot on its own (%s) and deletes it when its snapshot history is full; declared in Git it would be created again", takenByOperator(m))}
	case kind == KindDeployment && canary(m):
		return nil, problem.List{problem.Warningf(o.where(), ref, "metadata.labels[flink.apache.org/canary]",
			"skipped: the operator's health-check canary runs no Flink cluster; keep it beside the overlays as an object of your own if you use it")}
	}
	if o.Namespace() == "" {
		if defaultNamespace == "" {
			return nil, problem.List{problem.Errorf(o.where(), ref, "metadata.namespace", "required: the object has no namespace; give it one, or run import with --namespace")}
		}
		metadata(m)["namespace"] = defaultNamespace
	}
	return o, nil
}

// withoutDuplicates reports an object read twice and keeps the first.
func withoutDuplicates(objs []*Object) ([]*Object, problem.List) {
	seen := map[string]*Object{}
	var probs problem.List
	var out []*Object
	for _, o := range objs {
		k := o.Kind() + "/" + o.Namespace() + "/" + o.Name()
		if first, ok := seen[k]; ok {
			probs = append(probs, problem.Errorf(o.where(), o.Ref(), "metadata.name", "defined twice: also in %s", first.where()))
			continue
		}
		seen[k] = o
		out = append(out, o)
	}
	return out, probs
}

// decode reads a document's JSON keeping numbers as written.
func decode(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// Roles reads the IAM role (IRSA annotation) of every ServiceAccount in the
// files, by namespace/name: a FlinkDeployment names its ServiceAccount
// only, so `kubectl get flinkdeployments,serviceaccounts -o yaml` gives
// import the job's serviceAccount.iamRoleArn too. Files Read cannot read
// are reported there.
func Roles(paths []string) map[string]string {
	docs, _ := input.ReadDocuments(paths)
	roles := map[string]string{}
	for _, d := range docs {
		m, err := decode(d.JSON)
		if err != nil {
			continue
		}
		items := []any{m}
		if manifest.IsList(m) {
			items = m["items"].([]any)
		}
		for _, it := range items {
			im, _ := it.(map[string]any)
			if str(im, "apiVersion") != "v1" || str(im, "kind") != "ServiceAccount" {
				continue
			}
			meta := metadata(im)
			ns, _ := meta["namespace"].(string)
			name, _ := meta["name"].(string)
			ann, _ := meta["annotations"].(map[string]any)
			if role, _ := ann[api.IRSARoleAnnotation].(string); role != "" {
				roles[ns+"/"+name] = role
			}
		}
	}
	return roles
}

// canary tells whether a FlinkDeployment is the operator's canary, which
// the operator only reconciles to prove it is healthy.
func canary(m map[string]any) bool {
	labels, _ := metadata(m)["labels"].(map[string]any)
	return labels["flink.apache.org/canary"] == "true"
}
