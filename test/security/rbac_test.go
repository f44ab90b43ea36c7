package security

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/component/rbac"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

// ruleLine is one RBAC rule as the inventory lists it.
func ruleLine(o *manifest.Object, rule map[string]any) string {
	list := func(key string) string {
		var vs []string
		items, _ := rule[key].([]any)
		for _, v := range items {
			vs = append(vs, fmt.Sprint(v))
		}
		return "[" + strings.Join(vs, " ") + "]"
	}
	where := o.GetKind() + " " + o.GetName()
	if ns := o.GetNamespace(); ns != "" {
		where = o.GetKind() + " <namespace>/" + o.GetName()
	}
	line := fmt.Sprintf("%-15s %-50s apiGroups=%s resources=%s", o.Component, where, list("apiGroups"), list("resources"))
	if _, ok := rule["resourceNames"]; ok {
		line += " resourceNames=" + list("resourceNames")
	}
	if _, ok := rule["nonResourceURLs"]; ok {
		line += " nonResourceURLs=" + list("nonResourceURLs")
	}
	return line + " verbs=" + list("verbs")
}

func rules(o *manifest.Object) []map[string]any {
	items, _ := o.Object["rules"].([]any)
	var out []map[string]any
	for _, r := range items {
		if m, ok := r.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func isRole(o *manifest.Object) bool {
	return o.GroupVersionKind().Group == "rbac.authorization.k8s.io" && (o.GetKind() == "Role" || o.GetKind() == "ClusterRole")
}

func hasWildcard(rule map[string]any) bool {
	for _, key := range []string{"verbs", "resources", "apiGroups"} {
		items, _ := rule[key].([]any)
		for _, v := range items {
			if v == "*" {
				return true
			}
		}
	}
	return false
}

// isJobRule tells whether a rule is one of the JobManager's rules the Flink
// operator documents for job service accounts (rbac.JobRules).
func isJobRule(rule map[string]any) bool {
	for _, r := range rbac.JobRules() {
		if reflect.DeepEqual(r, rule) {
			return true
		}
	}
	return false
}

// wildcardCharts are the charts allowed to render wildcard rules, and why.
var wildcardCharts = map[string]string{
	"flink-operator": "the Flink Kubernetes Operator's chart gives the operator's own Role verbs * in each watched namespace, as upstream ships it (templates/rbac.yaml); every such rule is pinned in the inventory",
}

// TestRBACRuleInventory lists every rule of every Role and ClusterRole
// krm-flink renders (its own rbac component and the charts it hydrates),
// over the example platform and every golden case, and fails on any rule
// not in testdata/rbac-rules.golden: a new permission is a reviewed change
// (go test ./test/security -run RBAC -update). Wildcards (verbs, resources
// or API groups "*") are allowed only in the JobManager rules the Flink
// operator documents for jobs and in the operator chart's own Role
// (wildcardCharts), and krm-flink's own component renders no other rule.
func TestRBACRuleInventory(t *testing.T) {
	lines := map[string]bool{}
	for _, name := range sortedKeys(inputs(t)) {
		byEnv, _ := renderSet(t, loadSet(t, inputs(t)[name]))
		for _, env := range sortedKeys(byEnv) {
			for _, o := range byEnv[env] {
				if !isRole(o) {
					continue
				}
				if o.Component == rbac.Name && o.GetKind() != "ClusterRole" {
					t.Errorf("%s %s: the rbac component renders a %s; it renders one ClusterRole", name, env, o.GetKind())
				}
				for _, rule := range rules(o) {
					lines[ruleLine(o, rule)] = true
					switch {
					case o.Component == rbac.Name && !isJobRule(rule):
						t.Errorf("%s %s: %s renders a rule that is not one of the documented job rules: %v", name, env, o.ID(), rule)
					case hasWildcard(rule) && !isJobRule(rule) && wildcardCharts[o.Component] == "":
						t.Errorf("%s %s: %s (%s) grants a wildcard beyond the documented job rules: %v", name, env, o.ID(), o.Component, rule)
					}
				}
			}
		}
	}
	got := sortedKeys(lines)
	golden := filepath.Join("testdata", "rbac-rules.golden")
	text := "# Every RBAC rule krm-flink renders (example platform and testdata/render cases).\n" +
		"# A new line is a new permission: review it, then go test ./test/security -run RBAC -update.\n" +
		strings.Join(got, "\n") + "\n"
	if *update {
		if err := os.WriteFile(golden, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	known := map[string]bool{}
	for _, l := range strings.Split(string(want), "\n") {
		known[l] = true
	}
	for _, l := range got {
		if !known[l] {
			t.Errorf("a rule not in %s: %s", golden, l)
		}
	}
	if diff := cmp.Diff(string(want), text); diff != "" {
		t.Errorf("%s differs (-want +got); review and run with -update:\n%s", golden, diff)
	}
	t.Logf("%d distinct rules", len(got))
}

// TestRoleBindingModeIsTheDefault renders a platform that says nothing about
// RBAC: the job ClusterRole is bound with a RoleBinding in each job
// namespace, never cluster-wide.
func TestRoleBindingModeIsTheDefault(t *testing.T) {
	files := map[string]string{
		"platform.yaml": testutil.Platform + testutil.ComponentsOff,
		"a.yaml":        optOutJob("a", ""),
		"b.yaml":        strings.Replace(optOutJob("b", ""), "namespace: shop", "namespace: billing", 1),
	}
	set := testutil.Set(t, files)
	byEnv, _ := renderSet(t, set)
	for _, env := range sortedKeys(byEnv) {
		var bindings []string
		for _, o := range byEnv[env] {
			switch o.GetKind() {
			case "ClusterRoleBinding":
				t.Errorf("%s: %s binds cluster-wide by default", env, o.ID())
			case "RoleBinding":
				if o.Component == rbac.Name {
					bindings = append(bindings, o.GetNamespace()+"/"+o.GetName())
				}
			}
		}
		sort.Strings(bindings)
		want := []string{"billing/" + api.DefaultClusterRoleName, "shop/" + api.DefaultClusterRoleName}
		if diff := cmp.Diff(want, bindings); diff != "" {
			t.Errorf("%s: RoleBindings (-want +got):\n%s", env, diff)
		}
	}
}
