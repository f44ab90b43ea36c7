package importer

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/component/flinkjob"
	"github.com/krm-flink/krm-flink/internal/gitops"
)

// DiffKind says what one difference between an original FlinkDeployment and
// its rendered import is.
type DiffKind int

const (
	// Addition is a field the platform documents adding, absent from the
	// original (the Prometheus reporter, Datadog and Reloader annotations,
	// the NodePool pinning, the restricted security context, krm-flink's
	// labels). It is part of the contract, not a loss.
	Addition DiffKind = iota
	// Replaced is a field the platform owns that the original set to
	// another value: the platform's value wins.
	Replaced
	// Added is a field the original does not set and the platform adds
	// without documenting it (a platform default a job cannot unset).
	Added
	// Removed is a field of the original that krm-flink cannot express.
	Removed
	// Changed is a field whose value differs.
	Changed
)

func (k DiffKind) String() string {
	return [...]string{"platform addition", "replaced by the platform", "added", "dropped", "changed"}[k]
}

// Difference is one field that differs, with its values (nil when absent).
type Difference struct {
	Path     string
	Kind     DiffKind
	Original any
	Rendered any
}

// Lost tells whether the difference breaks the round trip: every
// difference but a documented addition, and but krm-flink's own metadata
// keys replacing the original's (they only mark who manages the object;
// the operator never reads metadata).
func (d Difference) Lost() bool {
	switch d.Kind {
	case Addition:
		return false
	case Replaced:
		return !strings.HasPrefix(d.Path, "metadata.") && !sameJSON(d.Original, d.Rendered)
	}
	return true
}

// sameJSON tells whether two strings hold equal JSON documents: an
// annotation such as ad.datadoghq.com/tags written with its keys in
// another order says the same.
func sameJSON(a, b any) bool {
	as, ok1 := a.(string)
	bs, ok2 := b.(string)
	if !ok1 || !ok2 {
		return false
	}
	var x, y any
	if json.Unmarshal([]byte(as), &x) != nil || json.Unmarshal([]byte(bs), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// Describe says what happens to the field, for messages.
func (d Difference) Describe() string {
	switch d.Kind {
	case Addition:
		return fmt.Sprintf("added by the platform: %s", show(d.Rendered))
	case Replaced:
		if sameJSON(d.Original, d.Rendered) {
			return "the platform renders the same JSON with its keys in another order"
		}
		r, o := showDiff(d.Rendered, d.Original)
		return fmt.Sprintf("the platform owns this field and renders %s instead of %s", r, o)
	case Added:
		return fmt.Sprintf("renders %s, which the original does not set; a FlinkJobSpec cannot leave it unset (a platform or krm-flink default)", show(d.Rendered))
	case Removed:
		return fmt.Sprintf("krm-flink cannot express this field (%s); it would be dropped", show(d.Original))
	}
	r, o := showDiff(d.Rendered, d.Original)
	return fmt.Sprintf("renders %s instead of %s", r, o)
}

// showDiff writes two values compactly; of two long strings it shows
// where they start to differ.
func showDiff(a, b any) (string, string) {
	as, ok1 := a.(string)
	bs, ok2 := b.(string)
	if !ok1 || !ok2 || len(as)+len(bs) < 120 {
		return show(a), show(b)
	}
	i := 0
	for i < len(as) && i < len(bs) && as[i] == bs[i] {
		i++
	}
	if i > 20 {
		return "..." + show(as[i-20:]), "..." + show(bs[i-20:])
	}
	return show(a), show(b)
}

// show writes a value compactly, as JSON.
func show(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	const max = 120
	if len(data) > max {
		return string(data[:max]) + "..."
	}
	return string(data)
}

// Compare lists, sorted by path, every field of the metadata (name,
// namespace, labels, annotations) and spec of two objects of one kind that
// differ: an original (as kept in Git or printed by kubectl) and the one
// krm-flink renders for its import. Both are compared as the operator
// reads them (Normalize): what the operator ignores (status, server-set
// metadata) is left out, flinkConfiguration is flat text, and an unset
// field equals the operator's default. Each difference is classified: a
// documented platform addition, or a loss. A FlinkBlueGreenDeployment's
// spec.template.spec is compared as a FlinkDeployment's spec, with the
// same documented additions.
func Compare(original, rendered map[string]any) []Difference {
	a, b := Normalize(original), Normalize(rendered)
	var out []Difference
	if kindOf(original) != KindBlueGreen {
		diff(a, b, nil, &out)
		classify(out, b)
	} else {
		aDep, aRest := splitTemplate(a)
		bDep, bRest := splitTemplate(b)
		diff(aDep, bDep, nil, &out)
		classify(out, bDep)
		for i := range out {
			if rest, ok := strings.CutPrefix(out[i].Path, "spec"); ok {
				out[i].Path = "spec.template.spec" + rest
			}
		}
		diff(aRest, bRest, []string{"spec"}, &out)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// splitTemplate splits a normalized FlinkBlueGreenDeployment into the
// FlinkDeployment its template describes (its metadata, the template's
// spec) and the rest of its spec.
func splitTemplate(obj map[string]any) (map[string]any, map[string]any) {
	spec, _ := obj["spec"].(map[string]any)
	rest := map[string]any{}
	for k, v := range spec {
		rest[k] = v
	}
	template, _ := spec["template"].(map[string]any)
	depSpec, _ := template["spec"].(map[string]any)
	if depSpec == nil {
		depSpec = map[string]any{}
	}
	delete(rest, "template")
	if otherTemplate := withoutKeyMap(template, "spec"); len(otherTemplate) > 0 {
		rest["template"] = otherTemplate
	}
	return map[string]any{"metadata": obj["metadata"], "spec": depSpec}, rest
}

func withoutKeyMap(m map[string]any, key string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// Lost returns the differences that break the round trip.
func Lost(ds []Difference) []Difference {
	var out []Difference
	for _, d := range ds {
		if d.Lost() {
			out = append(out, d)
		}
	}
	return out
}

// Normalize returns the parts of an operator object the round trip keeps,
// as the operator reads them: metadata name, namespace, labels and
// annotations (without server-set and operator annotations, nor a
// FlinkStateSnapshot's operator labels), and the spec.
// The spec of a FlinkDeployment (of a FlinkBlueGreenDeployment, its
// spec.template.spec) has its flinkConfiguration flattened to text (the
// operator diffs it so), no apiVersion and kind in its pod templates (the
// operator ignores them) and the operator's defaults of
// jobManager.replicas (1), job.upgradeMode (stateless) and job.state
// (running) filled in; a FlinkSessionJob's has its flinkConfiguration
// flattened and the job defaults filled in; a FlinkStateSnapshot's is
// kept as is. Numbers are float64.
func Normalize(obj map[string]any) map[string]any {
	kind := kindOf(obj)
	obj = canonical(obj).(map[string]any)
	out := map[string]any{}
	meta := map[string]any{}
	if m, ok := obj["metadata"].(map[string]any); ok {
		for k, v := range m {
			if ignoredMetadata[k] {
				continue
			}
			if k == "annotations" {
				v = withoutIgnoredAnnotations(v)
				if v == nil {
					continue
				}
			}
			meta[k] = v
		}
	}
	if kind == KindSnapshot {
		withoutOperatorLabels(meta)
	}
	out["metadata"] = meta
	spec, _ := obj["spec"].(map[string]any)
	if spec == nil {
		spec = map[string]any{}
	}
	switch kind {
	case KindDeployment:
		normalizeSpec(spec, operatorDefaults)
	case KindSessionJob:
		normalizeSpec(spec, operatorDefaults[1:])
	case KindBlueGreen:
		if t, ok := spec["template"].(map[string]any); ok {
			if s, ok := t["spec"].(map[string]any); ok {
				normalizeSpec(s, operatorDefaults)
			}
		}
	}
	out["spec"] = spec
	return out
}

// normalizeSpec flattens a spec's flinkConfiguration, drops the
// apiVersion and kind of its pod templates and fills in the operator's
// defaults.
func normalizeSpec(spec map[string]any, defaults []operatorDefault) {
	for _, path := range podTemplatePaths {
		if t, ok := lookupMap(spec, path...); ok {
			// The operator's examples write a pod template as a Pod; the
			// operator reads only its metadata and spec.
			delete(t, "apiVersion")
			delete(t, "kind")
		}
	}
	if conf, ok := spec["flinkConfiguration"]; ok {
		flat := map[string]any{}
		flatten(conf, "", flat)
		spec["flinkConfiguration"] = flat
	}
	for _, d := range defaults {
		setDefault(spec, d.value, d.path...)
	}
}

// podTemplatePaths are the pod templates of a FlinkDeployment's spec.
var podTemplatePaths = [][]string{{"podTemplate"}, {"jobManager", "podTemplate"}, {"taskManager", "podTemplate"}}

// ignoredMetadata are metadata fields the API server or the operator set,
// which an object as kubectl prints it carries and no input declares.
var ignoredMetadata = map[string]bool{
	"managedFields": true, "resourceVersion": true, "uid": true, "generation": true,
	"creationTimestamp": true, "selfLink": true, "finalizers": true,
	"deletionTimestamp": true, "deletionGracePeriodSeconds": true,
}

// lastApplied is the annotation kubectl apply keeps the applied object in.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// operatorAnnotationPrefix marks the Flink operator's own annotations.
const operatorAnnotationPrefix = "flink.apache.org/"

func withoutIgnoredAnnotations(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		if k != lastApplied && !strings.HasPrefix(k, operatorAnnotationPrefix) {
			out[k] = x
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// operatorDefault is the value the operator gives a field left unset.
type operatorDefault struct {
	path  []string
	value any
}

// operatorDefaults are the values the operator gives fields left unset
// (its spec classes' defaults), so an original without them and a render
// with them are the same deployment to the operator. A FlinkSessionJob
// has the job's (all but the first).
var operatorDefaults = []operatorDefault{
	{[]string{"jobManager", "replicas"}, float64(1)},
	{[]string{"job", "upgradeMode"}, api.DefaultUpgradeMode},
	{[]string{"job", "state"}, api.DefaultJobState},
}

// setDefault sets m[path] to v when it is unset and its parent exists
// (no job section means a session cluster, which has no job state).
func setDefault(m map[string]any, v any, path ...string) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			if k == "job" {
				return
			}
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	if _, ok := m[path[len(path)-1]]; !ok {
		m[path[len(path)-1]] = v
	}
}

// flatten writes a flinkConfiguration as the operator reads it: nested
// keys joined with dots, lists joined with semicolons, scalars as text.
func flatten(v any, prefix string, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			key := k
			if prefix != "" {
				key = prefix + "." + k
			}
			flatten(c, key, out)
		}
	case []any:
		parts := make([]string, len(x))
		for i, c := range x {
			parts[i] = text(c)
		}
		out[prefix] = strings.Join(parts, ";")
	default:
		out[prefix] = text(x)
	}
}

// text is a scalar as the operator's configuration sees it.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// canonical deep-copies a decoded object with every number a float64, so
// values compare whatever decoder read them.
func canonical(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, c := range x {
			out[k] = canonical(c)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			out[i] = canonical(c)
		}
		return out
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case int:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case float32:
		return float64(x)
	}
	return v
}

// diff appends the leaves that differ between a and b. Maps are compared
// key by key; lists of objects that all have a distinct name by name
// ("containers[flink-main-container]"), other lists of objects item by
// item regardless of order, lists of scalars as a whole.
func diff(a, b any, path []string, out *[]Difference) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	switch {
	case aok && bok, aok && b == nil, a == nil && bok:
		if len(am) == 0 && len(bm) == 0 {
			if a == nil || b == nil {
				add(out, path, a, b) // an empty map on one side only
			}
			return
		}
		for _, k := range unionKeys(am, bm) {
			diff(am[k], bm[k], appendPath(path, k), out)
		}
		return
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if (aok || a == nil) && (bok || b == nil) && (objects(al) && objects(bl)) && (len(al) > 0 || len(bl) > 0) {
		if named(al) && named(bl) {
			ai, bi := byName(al), byName(bl)
			for _, n := range unionKeys(ai, bi) {
				ia, ib := ai[n], bi[n]
				if ia != nil {
					ia = withoutKey(ia, "name")
				}
				if ib != nil {
					ib = withoutKey(ib, "name")
				}
				diff(ia, ib, appendPath(path, "["+n+"]"), out)
			}
			return
		}
		// Items equal in both lists match; the rest are reported by index.
		used := make([]bool, len(bl))
	next:
		for i, x := range al {
			for j, y := range bl {
				if !used[j] && reflect.DeepEqual(x, y) {
					used[j] = true
					continue next
				}
			}
			add(out, appendPath(path, "["+strconv.Itoa(i)+"]"), x, nil)
		}
		for j, y := range bl {
			if !used[j] {
				add(out, appendPath(path, "["+strconv.Itoa(j)+"]"), nil, y)
			}
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		add(out, path, a, b)
	}
}

func add(out *[]Difference, path []string, a, b any) {
	d := Difference{Path: formatPath(path), Original: a, Rendered: b, Kind: Changed}
	switch {
	case a == nil:
		d.Kind = Added
	case b == nil:
		d.Kind = Removed
	}
	*out = append(*out, d)
}

func appendPath(p []string, seg string) []string {
	return append(p[:len(p):len(p)], seg)
}

// stringMaps are the fields whose keys are data, always written in
// brackets: metadata.labels[team], spec.flinkConfiguration[parallelism.default].
var stringMaps = map[string]bool{"labels": true, "annotations": true, "flinkConfiguration": true,
	"nodeSelector": true, "logConfiguration": true}

// plainSegment is a map key written without brackets.
var plainSegment = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// formatPath writes a field path as problems name it:
// spec.flinkConfiguration[state.backend.type],
// spec.podTemplate.spec.containers[flink-main-container].ports[metrics].
func formatPath(p []string) string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case strings.HasPrefix(s, "["):
			b.WriteString(s)
		case i > 0 && stringMaps[p[i-1]], !plainSegment.MatchString(s):
			b.WriteString("[" + s + "]")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

func unionKeys[V any](a, b map[string]V) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func objects(l []any) bool {
	for _, v := range l {
		if _, ok := v.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// named tells whether every item is an object with a distinct string name.
func named(l []any) bool {
	seen := map[string]bool{}
	for _, v := range l {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		n, ok := m["name"].(string)
		if !ok || n == "" || seen[n] {
			return false
		}
		seen[n] = true
	}
	return true
}

func byName(l []any) map[string]any {
	out := make(map[string]any, len(l))
	for _, v := range l {
		m := v.(map[string]any)
		out[m["name"].(string)] = m
	}
	return out
}

func withoutKey(v any, key string) any {
	m := v.(map[string]any)
	out := make(map[string]any, len(m))
	for k, x := range m {
		if k != key {
			out[k] = x
		}
	}
	return out
}

// classify marks the differences at fields the platform owns: an
// Addition where the original had nothing, Replaced where it had another
// value. rendered is the normalized rendered object.
func classify(ds []Difference, rendered map[string]any) {
	for i := range ds {
		d := &ds[i]
		if (d.Kind != Added && d.Kind != Changed) || !platformOwned(d.Path, d.Rendered, rendered) {
			continue
		}
		if d.Kind == Added {
			d.Kind = Addition
		} else {
			d.Kind = Replaced
		}
	}
}

// podTemplate is where the pod template krm-flink renders lives.
const podTemplate = "spec.podTemplate."

// mainContainer is the path of the Flink container in the pod template.
const mainContainer = podTemplate + "spec.containers[" + flinkjob.MainContainer + "]"

// platformOwned tells whether the platform documents setting the field at
// path (README "What it renders"): krm-flink's labels and annotations, the
// Prometheus reporter keys, the Datadog and Reloader annotations, the pod
// labels copied from the FlinkDeployment's, the NodePool node selector and
// toleration, the metrics port and the restricted security context.
func platformOwned(path string, value any, rendered map[string]any) bool {
	switch {
	case path == "metadata.labels["+ownedPartOf+"]" && value == "flink":
		return true
	case strings.HasPrefix(path, "metadata.labels["):
		return ownedKey(bracketKey(path, "metadata.labels"), api.OwnedLabels)
	case strings.HasPrefix(path, "metadata.annotations["):
		k := bracketKey(path, "metadata.annotations")
		return ownedKey(k, api.OwnedAnnotations) || k == gitops.SyncOptionsAnnotation
	case path == "spec.flinkConfiguration["+flinkjob.ReporterFactoryKey+"]",
		path == "spec.flinkConfiguration["+flinkjob.ReporterPortKey+"]":
		return true
	case strings.HasPrefix(path, podTemplate+"metadata.labels["):
		k := bracketKey(path, podTemplate+"metadata.labels")
		labels, _ := rendered["metadata"].(map[string]any)["labels"].(map[string]any)
		return labels != nil && reflect.DeepEqual(labels[k], value)
	case strings.HasPrefix(path, podTemplate+"metadata.annotations["):
		k := bracketKey(path, podTemplate+"metadata.annotations")
		return strings.HasPrefix(k, datadogPrefix) || k == reloaderAnnotation
	case path == podTemplate+"spec.nodeSelector["+nodePoolKey+"]",
		strings.HasPrefix(path, podTemplate+"spec.securityContext"),
		strings.HasPrefix(path, mainContainer+".securityContext"),
		strings.HasPrefix(path, mainContainer+".ports[metrics]"):
		return true
	case strings.HasPrefix(path, podTemplate+"spec.tolerations["):
		t, _ := value.(map[string]any)
		return t["key"] == nodePoolKey
	}
	return false
}

// Keys of what the platform renders onto every job.
const (
	ownedPartOf        = "app.kubernetes.io/part-of"
	datadogPrefix      = "ad.datadoghq.com/"
	datadogTags        = "ad.datadoghq.com/tags"
	reloaderAnnotation = "configmap.reloader.stakater.com/reload"
	nodePoolKey        = "krm-flink.io/nodepool"
	doNotDisrupt       = "karpenter.sh/do-not-disrupt"
)

func ownedKey(k string, keys []string) bool {
	return strings.HasPrefix(k, api.OwnedKeyPrefix) || slices.Contains(keys, k)
}

// bracketKey returns k of "<prefix>[k]".
func bracketKey(path, prefix string) string {
	return strings.TrimSuffix(strings.TrimPrefix(path, prefix+"["), "]")
}
