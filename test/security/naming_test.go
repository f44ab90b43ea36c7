package security

import (
	"fmt"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/krm-flink/krm-flink/internal/component/nodepool"
	"github.com/krm-flink/krm-flink/internal/naming"
	"github.com/krm-flink/krm-flink/internal/testutil"
)

// TestJobsNeverShareAnObject renders jobs whose names collide once joined
// or cut to Kubernetes' limits, and one named to copy another's cut NodePool
// name: every job gets its own NodePool, its pods select exactly that pool,
// and every object name and label value is valid.
func TestJobsNeverShareAnObject(t *testing.T) {
	long63 := strings.Repeat("n", 62) + "s"
	ns40 := strings.Repeat("a", 40)
	job45 := "j" + strings.Repeat("x", 44)
	// A job named like the tail of another's cut pool name: with a cut name
	// of "<namespace>.<job prefix>-<hash>" it got the same pool.
	cut := naming.NodePool(ns40, job45)
	crafted := cut[len(ns40)+1:]
	pairs := [][2]string{
		{"a-b", "c"}, {"a", "b-c"},
		{long63, "orders"}, {long63, "orders-v2"}, {long63[:62] + "t", "orders"},
		{ns40, job45}, {ns40, job45[:44] + "y"}, {ns40, crafted},
	}
	files := map[string]string{"platform.yaml": testutil.Platform + testutil.ComponentsOff}
	for i, p := range pairs {
		files[fmt.Sprintf("job-%02d.yaml", i)] = strings.Replace(optOutJob(p[1], ""), "namespace: shop", "namespace: "+p[0], 1)
	}
	set := testutil.Set(t, files)
	byEnv, _ := renderSet(t, set)
	for _, env := range sortedKeys(byEnv) {
		pools := map[string]bool{}
		selected := map[string]string{} // pool -> job
		for _, o := range byEnv[env] {
			for _, msg := range validation.IsDNS1123Subdomain(o.GetName()) {
				t.Errorf("%s: %s: invalid name: %s", env, o.ID(), msg)
			}
			for k, v := range o.GetLabels() {
				for _, msg := range validation.IsValidLabelValue(v) {
					t.Errorf("%s: %s: label %s: %s", env, o.ID(), k, msg)
				}
			}
			switch o.GetKind() {
			case "NodePool":
				if pools[o.GetName()] {
					t.Errorf("%s: two NodePools named %s", env, o.GetName())
				}
				pools[o.GetName()] = true
			case "FlinkDeployment":
				pool, _, _ := unstructured.NestedString(o.Object, "spec", "podTemplate", "spec", "nodeSelector", nodepool.PoolLabel)
				job := o.GetNamespace() + "/" + o.GetName()
				if prev, ok := selected[pool]; ok {
					t.Errorf("%s: jobs %s and %s select the same pool %s", env, prev, job, pool)
				}
				selected[pool] = job
				if want := naming.NodePool(o.GetNamespace(), o.GetName()); pool != want {
					t.Errorf("%s: %s selects pool %q, want its own %q", env, job, pool, want)
				}
			}
		}
		if len(pools) != len(pairs) || len(selected) != len(pairs) {
			t.Errorf("%s: %d jobs, %d NodePools, %d selected pools", env, len(pairs), len(pools), len(selected))
		}
		for pool := range selected {
			if !pools[pool] {
				t.Errorf("%s: a job selects %s, which no NodePool is", env, pool)
			}
		}
	}
}
