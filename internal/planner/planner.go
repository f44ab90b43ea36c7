// Package planner compares an environment's overlay tree on disk with the
// tree krm-flink would render and says, per job and per platform object,
// what syncing the change does to running Flink jobs.
package planner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

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
			if len(fields) == 0 && o.kind != "FlinkDeployment" {
				continue
			}
		}
		if o.kind == "FlinkDeployment" {
			c := planJob(a, b, fields)
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
	for _, k := range sortedKeys(cur) {
		o := cur[k]
		if o.kind != "FlinkDeployment" || old[k] == nil {
			continue
		}
		for _, pool := range nodePools(o.data) {
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
	for _, pool := range sortedKeys(drifted) {
		if attributed[pool] {
			continue
		}
		others = append(others, Change{Kind: "NodePool", Name: pool, Component: "nodepools",
			Actions: []string{"template changed: nodes replaced (drift), no job on them"}, Fields: capFields(drifted[pool])})
	}
	for _, k := range jobKeys {
		if c := jobs[k]; len(c.Actions) > 0 {
			out.Changes = append(out.Changes, *c)
		} else {
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
	o := b
	if o == nil {
		o = a
	}
	c := Change{Kind: o.kind, Namespace: o.namespace, Name: o.name, Component: o.component}
	var outs []outcome
	switch {
	case a == nil:
		action := "new job"
		if facts(b.data).suspended {
			action = "new job (suspended)"
		}
		outs = []outcome{{action, Safe}}
	case b == nil:
		outs = []outcome{removedOutcome(facts(a.data))}
	case len(fields) > 0:
		was, now := facts(a.data), facts(b.data)
		diff := diffIgnore
		for _, f := range fields {
			if d, _ := classifyField(f.path, f.removed, now); d > diff {
				diff = d
			}
		}
		stateChanged := str(a.data, "spec", "job", "state") != str(b.data, "spec", "job", "state")
		switch {
		case diff == diffIgnore:
			outs = append(outs, outcome{"no restart: only fields the operator ignores", Safe})
		case was.suspended && now.suspended:
			outs = append(outs, outcome{"updated while suspended", Safe})
		case diff == diffSavepointRedeploy:
			outs = append(outs, outcome{"redeploy from initialSavepointPath", Restart})
		case stateChanged && now.suspended:
			outs = append(outs, upgradeOutcome("suspend", now))
		case stateChanged:
			outs = append(outs, upgradeOutcome("resume", now))
		case diff == diffScale:
			outs = append(outs, scaleOutcome(now))
		default:
			outs = append(outs, upgradeOutcome("upgrade", now))
		}
		outs = append(outs, modeOutcomes(was, now)...)
		c.Fields = fieldNames(fields)
	}
	for _, oc := range outs {
		c.Actions = append(c.Actions, oc.action)
		c.Risk = maxRisk(c.Risk, oc.risk)
	}
	return c
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
	conf := func(k string) string { return str(m, "spec", "flinkConfiguration", k) }
	j := jobFacts{
		upgradeMode:         str(m, "spec", "job", "upgradeMode"),
		standalone:          str(m, "spec", "mode") == "standalone",
		reactive:            conf("scheduler-mode") == "reactive",
		savepointOnDeletion: conf("kubernetes.operator.job.savepoint-on-deletion") == "true",
		suspended:           str(m, "spec", "job", "state") == "suspended",
	}
	if j.upgradeMode == "" {
		j.upgradeMode = "stateless"
	}
	for _, k := range []string{"state.checkpoints.dir", "state.savepoints.dir", "execution.checkpointing.dir", "execution.checkpointing.savepoint-dir"} {
		if conf(k) != "" {
			j.stateDir = true
		}
	}
	j.allowNonRestored = get(m, "spec", "job", "allowNonRestoredState") == true
	j.inPlaceScaling = conf("jobmanager.scheduler") == "adaptive" && atLeast118(str(m, "spec", "flinkVersion"))
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
		if p != "" && !contains(pools, p) {
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
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for _, k := range sortedKeys(keys) {
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
