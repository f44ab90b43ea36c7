// Package planner compares an environment's overlay tree on disk with the
// tree krm-flink would render and says, per job and per platform object,
// what syncing the change does to running Flink jobs.
package planner

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/output"
)

// Plan is the plan of every compared environment, sorted by name.
type Plan struct {
	Environments []Environment `json:"environments"`
}

// Environment is one environment's changes.
type Environment struct {
	Name string `json:"name"`
	// Changes lists the jobs first, then the platform's objects.
	Changes []Change `json:"changes"`
	// UnchangedJobs counts the FlinkDeployments nothing happens to.
	UnchangedJobs int `json:"unchangedJobs"`
}

// Change is one plan line: an object, what happens to it and why.
type Change struct {
	Kind      string   `json:"kind"`
	Namespace string   `json:"namespace,omitempty"`
	Name      string   `json:"name"`
	Component string   `json:"component"`
	Risk      Risk     `json:"risk"`
	Actions   []string `json:"actions"`
	Fields    []string `json:"fields,omitempty"`
}

// Object names the change's object: namespace/name, or name.
func (c Change) Object() string {
	if c.Namespace == "" {
		return c.Kind + " " + c.Name
	}
	return c.Kind + " " + c.Namespace + "/" + c.Name
}

// Max is the highest risk of the plan.
func (p Plan) Max() Risk {
	max := Safe
	for _, e := range p.Environments {
		for _, c := range e.Changes {
			if c.Risk > max {
				max = c.Risk
			}
		}
	}
	return max
}

// maxFields caps the fields listed per line (a chart upgrade changes
// hundreds of fields of a CRD); JSON and text alike.
const maxFields = 8

// ReadTree reads the files krm-flink generated under dir (one
// environment's folder); a missing folder is an empty tree.
func ReadTree(dir string) (output.Tree, error) {
	t := output.Tree{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipAll
		}
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		if ok, err := output.IsGenerated(p); err != nil || !ok {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		t[filepath.ToSlash(rel)] = data
		return nil
	})
	return t, err
}

// object is one parsed file of a tree.
type object struct {
	component string
	kind      string
	group     string
	namespace string
	name      string
	data      map[string]any
}

func (o *object) key() string {
	return o.group + "/" + o.kind + "/" + o.namespace + "/" + o.name
}

// parse reads every object of a tree by key, skipping the kustomization
// files that list them.
func parse(t output.Tree) (map[string]*object, error) {
	objs := map[string]*object{}
	for _, p := range t.Paths() {
		docs := manifest.Decode(t[p])
		if docs.Err != nil {
			return nil, fmt.Errorf("%s: %w", p, docs.Err)
		}
		var m map[string]any
		if len(docs.Maps) > 0 {
			m = docs.Maps[0]
		}
		apiVersion, _ := m["apiVersion"].(string)
		if path.Base(p) == output.KustomizationFile && strings.HasPrefix(apiVersion, "kustomize.config.k8s.io/") {
			continue
		}
		o := &object{kind: str(m, "kind"), namespace: str(m, "metadata", "namespace"), name: str(m, "metadata", "name"), data: m}
		if i := strings.LastIndex(apiVersion, "/"); i >= 0 {
			o.group = apiVersion[:i]
		}
		segs := strings.Split(p, "/")
		switch {
		case len(segs) >= 3:
			o.component = segs[1]
		default:
			o.component = segs[0]
		}
		objs[o.key()] = o
	}
	return objs, nil
}

// Compare plans one environment: base is on disk, head is rendered.
func Compare(env string, base, head output.Tree) (Environment, error) {
	out := Environment{Name: env, Changes: []Change{}}
	old, err := parse(base)
	if err != nil {
		return out, fmt.Errorf("%s (on disk): %w", env, err)
	}
	cur, err := parse(head)
	if err != nil {
		return out, err
	}
	keys := map[string]bool{}
	for k := range old {
		keys[k] = true
	}
	for k := range cur {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)

	jobs := map[string]*Change{} // by object key
	var jobKeys []string
	var others []Change
	drifted := map[string][]string{} // NodePool name -> the fields that drift it
	nodeClasses := map[string][]string{}
	for _, k := range sorted {
		a, b := old[k], cur[k]
		o := b
		if o == nil {
			o = a
		}
		var fields []fieldChange
		if a != nil && b != nil {
			diffFields(a.data, b.data, nil, &fields)
			if len(fields) == 0 && !isJob(o) {
				continue
			}
		}
		if isJob(o) || isSnapshot(o) {
			var c Change
			switch {
			case isSnapshot(o):
				c = planSnapshot(a, b)
			case o.kind == "FlinkSessionJob":
				c = planJob(sessionView(a, old), sessionView(b, cur), fields)
			case o.kind == "FlinkBlueGreenDeployment":
				c = planBlueGreen(a, b, fields)
			default:
				c = planJob(a, b, fields)
			}
			jobs[k] = &c
			jobKeys = append(jobKeys, k)
			continue
		}
		c := Change{Kind: o.kind, Namespace: o.namespace, Name: o.name, Component: o.component, Fields: fieldNames(fields)}
		switch {
		case a == nil:
			c.Actions = []string{"added"}
		case b == nil:
			c.Actions = []string{"removed"}
		default:
			c.Actions = []string{"changed"}
		}
		// Karpenter drift: a NodePool's template, or its EC2NodeClass's spec.
		if a != nil && b != nil {
			switch {
			case o.group == "karpenter.sh" && o.kind == "NodePool":
				if d := under(fields, "spec", "template"); len(d) > 0 {
					drifted[o.name] = append(drifted[o.name], d...)
					continue
				}
			case o.group == "karpenter.k8s.aws" && o.kind == "EC2NodeClass":
				if d := under(fields, "spec"); len(d) > 0 {
					nodeClasses[o.name] = d
					c.Actions = []string{"changed: its NodePools' nodes are replaced (drift)"}
				}
			}
		}
		describeComponent(&c, o, a, b)
		others = append(others, c)
	}
	// Pools whose EC2NodeClass drifted drift too.
	for _, o := range cur {
		if o.group != "karpenter.sh" || o.kind != "NodePool" {
			continue
		}
		class := str(o.data, "spec", "template", "spec", "nodeClassRef", "name")
		if d, ok := nodeClasses[class]; ok && old[o.key()] != nil {
			for _, f := range d {
				drifted[o.name] = append(drifted[o.name], "EC2NodeClass "+class+": "+f)
			}
		}
	}
	// A drifted pool restarts the pods of the jobs on it.
	attributed := map[string]bool{}
	for _, k := range slices.Sorted(maps.Keys(cur)) {
		o := cur[k]
		if !isJob(o) || old[k] == nil {
			continue
		}
		data := o.data
		if o.kind == "FlinkBlueGreenDeployment" {
			data = templateView(o.data)
		}
		for _, pool := range nodePools(data) {
			d, ok := drifted[pool]
			if !ok {
				continue
			}
			attributed[pool] = true
			c := jobs[k]
			oc := nodeDriftOutcome(pool)
			c.Actions = append(c.Actions, oc.action)
			c.Risk = maxRisk(c.Risk, oc.risk)
			for _, f := range d {
				c.Fields = append(c.Fields, "NodePool "+pool+": "+f)
			}
			c.Fields = capFields(c.Fields)
		}
	}
	for _, pool := range slices.Sorted(maps.Keys(drifted)) {
		if attributed[pool] {
			continue
		}
		others = append(others, Change{Kind: "NodePool", Name: pool, Component: "nodepools",
			Actions: []string{"template changed: nodes replaced (drift), no job on them"}, Fields: capFields(drifted[pool])})
	}
	for _, k := range jobKeys {
		if c := jobs[k]; len(c.Actions) > 0 {
			out.Changes = append(out.Changes, *c)
		} else if !isSnapshot(cur[k]) {
			out.UnchangedJobs++
		}
	}
	sort.SliceStable(others, func(i, j int) bool {
		x, y := others[i], others[j]
		if x.Component != y.Component {
			return x.Component < y.Component
		}
		if x.Kind != y.Kind {
			return x.Kind < y.Kind
		}
		if x.Namespace != y.Namespace {
			return x.Namespace < y.Namespace
		}
		return x.Name < y.Name
	})
	out.Changes = append(out.Changes, others...)
	return out, nil
}

// planJob classifies one FlinkDeployment; no actions means unchanged.
func planJob(a, b *object, fields []fieldChange) Change {
	return planRun(a, b, fields, func(m map[string]any) map[string]any { return m }, func(va, vb map[string]any, was, now jobFacts) outcome {
		diff := diffIgnore
		scaleOnly := true // every field that acts is a parallelism field
		for _, f := range fields {
			d, rule := classifyField(f.path, f.removed, now)
			if d > diff {
				diff = d
			}
			if d != diffIgnore && !scaleRules[rule] {
				scaleOnly = false
			}
		}
		stateChanged := str(va, "spec", "job", "state") != str(vb, "spec", "job", "state")
		switch {
		case diff == diffIgnore:
			return outcome{"no restart: only fields the operator ignores", Safe}
		case b.kind == "FlinkDeployment" && get(vb, "spec", "job") == nil:
			return sessionClusterOutcome()
		case was.suspended && now.suspended:
			return outcome{"updated while suspended", Safe}
		case diff == diffSavepointRedeploy:
			return outcome{"redeploy from initialSavepointPath", Restart}
		case stateChanged && now.suspended:
			return upgradeOutcome("suspend", now)
		case stateChanged:
			return upgradeOutcome("resume", now)
		case diff == diffScale:
			return scaleOutcome(now)
		case diff == diffUpgrade && scaleOnly:
			// A parallelism change the operator applies as an upgrade.
			return upgradeOutcome("rescale by upgrade", now)
		default:
			return upgradeOutcome("upgrade", now)
		}
	})
}

// planRun classifies one object that runs a job, read through view as
// the FlinkDeployment the rules read: new, removed, or changed, which
// changed classifies from the two views (the upgrade mode's risks are
// added). No actions means unchanged.
func planRun(a, b *object, fields []fieldChange, view func(map[string]any) map[string]any, changed func(va, vb map[string]any, was, now jobFacts) outcome) Change {
	o := b
	if o == nil {
		o = a
	}
	c := Change{Kind: o.kind, Namespace: o.namespace, Name: o.name, Component: o.component}
	var outs []outcome
	switch {
	case a == nil:
		action := "new job"
		if facts(view(b.data)).suspended {
			action = "new job (suspended)"
		}
		outs = []outcome{{action, Safe}}
	case b == nil:
		outs = []outcome{removedOutcome(facts(view(a.data)))}
	case len(fields) > 0:
		va, vb := view(a.data), view(b.data)
		was, now := facts(va), facts(vb)
		outs = append([]outcome{changed(va, vb, was, now)}, modeOutcomes(was, now)...)
		c.Fields = fieldNames(fields)
	}
	for _, oc := range outs {
		c.Actions = append(c.Actions, oc.action)
		c.Risk = maxRisk(c.Risk, oc.risk)
	}
	return c
}

// flinkGroup is the API group of the operator's kinds.
const flinkGroup = "flink.apache.org"

// isJob tells whether an object runs a Flink job: a FlinkDeployment, a
// FlinkSessionJob or a FlinkBlueGreenDeployment.
func isJob(o *object) bool {
	return o != nil && o.group == flinkGroup && (o.kind == "FlinkDeployment" || o.kind == "FlinkSessionJob" || o.kind == "FlinkBlueGreenDeployment")
}

func isSnapshot(o *object) bool {
	return o != nil && o.group == flinkGroup && o.kind == "FlinkStateSnapshot"
}

// sessionView is a FlinkSessionJob seen as the rules see a FlinkDeployment
// [session-job]: its session cluster's (spec.deploymentName, from the same
// tree) flinkConfiguration under its own, and the cluster's flinkVersion
// and mode, which decide how a change is applied.
func sessionView(o *object, objs map[string]*object) *object {
	if o == nil {
		return nil
	}
	view := *o
	spec, _ := o.data["spec"].(map[string]any)
	merged := map[string]any{}
	for k, v := range spec {
		merged[k] = v
	}
	conf := map[string]any{}
	if cluster := objs[(&object{group: flinkGroup, kind: "FlinkDeployment", namespace: o.namespace, name: str(o.data, "spec", "deploymentName")}).key()]; cluster != nil {
		for k, v := range mapAt(cluster.data, "spec", "flinkConfiguration") {
			conf[k] = v
		}
		for _, k := range []string{"flinkVersion", "mode"} {
			if v := get(cluster.data, "spec", k); v != nil {
				merged[k] = v
			}
		}
	}
	for k, v := range mapAt(o.data, "spec", "flinkConfiguration") {
		conf[k] = v
	}
	merged["flinkConfiguration"] = conf
	view.data = map[string]any{"spec": merged}
	return &view
}

// templateView is a FlinkBlueGreenDeployment's spec.template as a
// FlinkDeployment: {spec: <template.spec>}.
func templateView(m map[string]any) map[string]any {
	return map[string]any{"spec": get(m, "spec", "template", "spec")}
}

// planBlueGreen classifies one FlinkBlueGreenDeployment [blue-green]; no
// actions means unchanged.
func planBlueGreen(a, b *object, fields []fieldChange) Change {
	return planRun(a, b, fields, templateView, func(va, vb map[string]any, was, now jobFacts) outcome {
		var tf []fieldChange
		diffFields(va["spec"], vb["spec"], fieldPath{"spec"}, &tf)
		diff := diffIgnore
		for _, f := range tf {
			if d, _ := classifyField(f.path, f.removed, now); d > diff {
				diff = d
			}
		}
		switch {
		case len(tf) == 0:
			return outcome{"no transition: only fields outside spec.template.spec", Safe}
		case !was.suspended && now.suspended:
			return upgradeOutcome("suspend", now)
		case was.suspended && !now.suspended:
			return upgradeOutcome("resume", now)
		case was.suspended && now.suspended:
			return outcome{"updated while suspended", Safe}
		default:
			return blueGreenOutcome(diff, now)
		}
	})
}

// planSnapshot classifies one FlinkStateSnapshot [snapshots].
func planSnapshot(a, b *object) Change {
	o := b
	if o == nil {
		o = a
	}
	c := Change{Kind: o.kind, Namespace: o.namespace, Name: o.name, Component: o.component}
	typ := "savepoint"
	if get(o.data, "spec", "checkpoint") != nil {
		typ = "checkpoint"
	}
	job := str(o.data, "spec", "jobReference", "name")
	if job != "" && o.namespace != "" {
		job = o.namespace + "/" + job
	}
	var oc outcome
	switch {
	case a == nil:
		oc = snapshotAddedOutcome(typ, get(o.data, "spec", "savepoint", "alreadyExists") == true, job)
	case b == nil:
		// disposeOnDelete defaults to true.
		oc = snapshotRemovedOutcome(typ, get(o.data, "spec", "savepoint", "disposeOnDelete") != false)
	default:
		oc = snapshotChangedOutcome()
		var fields []fieldChange
		diffFields(a.data, b.data, nil, &fields)
		c.Fields = fieldNames(fields)
	}
	c.Actions, c.Risk = []string{oc.action}, oc.risk
	return c
}

func mapAt(m map[string]any, keys ...string) map[string]any {
	mm, _ := get(m, keys...).(map[string]any)
	return mm
}

// describeComponent adds what a platform object's change means.
func describeComponent(c *Change, o, a, b *object) {
	verb := c.Actions[0]
	switch {
	case o.component == "flink-operator" && (o.kind == "ConfigMap" || o.kind == "Deployment"):
		c.Actions = []string{verb + ": the operator restarts (jobs keep running)"}
	case o.kind == "CustomResourceDefinition" && b == nil:
		c.Actions = []string{"removed: every object of this kind is deleted"}
		c.Risk = Restart
		if strings.HasSuffix(o.name, ".flink.apache.org") {
			c.Risk = StateLoss
		}
	case o.kind == "CustomResourceDefinition":
		c.Actions = []string{"CRD " + verb}
	case o.kind == "Namespace" && b == nil:
		c.Actions = []string{"removed: everything in it is deleted"}
	case o.kind == "Namespace":
		c.Actions = []string{"namespace " + verb}
	case isRBAC(o):
		c.Actions = []string{"RBAC " + verb}
	}
}

func isRBAC(o *object) bool {
	return o.group == "rbac.authorization.k8s.io" || (o.group == "" && o.kind == "ServiceAccount")
}

// facts reads what the rules need from a FlinkDeployment.
func facts(m map[string]any) jobFacts {
	conf := map[string]string{}
	for k, v := range mapAt(m, "spec", "flinkConfiguration") {
		conf[k] = fmt.Sprint(v)
	}
	j := jobFacts{
		upgradeMode:         str(m, "spec", "job", "upgradeMode"),
		standalone:          str(m, "spec", "mode") == "standalone",
		reactive:            conf["scheduler-mode"] == "reactive",
		stateDir:            api.StateDir(conf) != "",
		savepointOnDeletion: conf[api.SavepointOnDeletionKey] == "true",
		allowNonRestored:    get(m, "spec", "job", "allowNonRestoredState") == true,
		suspended:           str(m, "spec", "job", "state") == "suspended",
		inPlaceScaling:      conf["jobmanager.scheduler"] == "adaptive" && atLeast118(str(m, "spec", "flinkVersion")),
	}
	if j.upgradeMode == "" {
		j.upgradeMode = "stateless"
	}
	return j
}

// atLeast118 reads the CRD's flinkVersion (v1_18, v2_0).
func atLeast118(v string) bool {
	major, minor, ok := strings.Cut(strings.TrimPrefix(v, "v"), "_")
	if !ok {
		return false
	}
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	return err1 == nil && err2 == nil && (ma > 1 || (ma == 1 && mi >= 18))
}

// nodePools lists the NodePools a FlinkDeployment's pods select.
func nodePools(m map[string]any) []string {
	var pools []string
	for _, tpl := range [][]string{{"spec", "podTemplate"}, {"spec", "jobManager", "podTemplate"}, {"spec", "taskManager", "podTemplate"}} {
		p := str(m, append(tpl, "spec", "nodeSelector", "krm-flink.io/nodepool")...)
		if p != "" && !slices.Contains(pools, p) {
			pools = append(pools, p)
		}
	}
	return pools
}

// fieldChange is one changed leaf; removed when the new value is absent.
type fieldChange struct {
	path    fieldPath
	removed bool
}

// diffFields lists the leaves that differ between a and b, descending into
// maps and into lists of the same length.
func diffFields(a, b any, p fieldPath, out *[]fieldChange) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	// A map added or removed as a whole is diffed key by key, so that
	// the rules see each key (a flinkConfiguration added with one key).
	if aok && bok || aok && b == nil || a == nil && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			diffFields(am[k], bm[k], append(p[:len(p):len(p)], k), out)
		}
		return
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) && objects(al) && objects(bl) {
		for i := range al {
			diffFields(al[i], bl[i], append(p[:len(p):len(p)], "["+strconv.Itoa(i)+"]"), out)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, fieldChange{path: p, removed: b == nil})
	}
}

// objects tells whether a list holds only maps (containers, requirements):
// those are diffed item by item, lists of scalars as a whole.
func objects(l []any) bool {
	for _, v := range l {
		if _, ok := v.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// under returns the names of the fields under prefix.
func under(fields []fieldChange, prefix ...string) []string {
	var out []string
	for _, f := range fields {
		if f.path.is(prefix...) {
			out = append(out, f.path.String())
		}
	}
	return out
}

func fieldNames(fields []fieldChange) []string {
	var out []string
	for _, f := range fields {
		out = append(out, f.path.String())
	}
	return capFields(out)
}

func capFields(fs []string) []string {
	if len(fs) <= maxFields {
		return fs
	}
	return append(fs[:maxFields:maxFields], fmt.Sprintf("(%d more)", len(fs)-maxFields))
}

func get(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

func str(m map[string]any, keys ...string) string {
	switch v := get(m, keys...).(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func maxRisk(a, b Risk) Risk {
	if b > a {
		return b
	}
	return a
}

// ByEnvironment splits the generated files of an output folder (paths
// relative to it, as <env>/<path>) into one tree per environment folder;
// hidden folders and files outside an environment folder are not part of
// any.
func ByEnvironment(files map[string][]byte) map[string]output.Tree {
	out := map[string]output.Tree{}
	for p, data := range files {
		env, rest, ok := strings.Cut(p, "/")
		if !ok || strings.HasPrefix(env, ".") {
			continue
		}
		if out[env] == nil {
			out[env] = output.Tree{}
		}
		out[env][rest] = data
	}
	return out
}
