package rbac_test

import (
	"strings"
	"testing"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/component/componenttest"
	"github.com/krm-flink/krm-flink/internal/component/rbac"
)

// TestServiceAccountPerIdentity: one ServiceAccount per distinct name of a
// namespace, IRSA-annotated when it has a role, every one bound; the same
// name with two roles is a problem naming both jobs.
func TestServiceAccountPerIdentity(t *testing.T) {
	const roleA = "arn:aws:iam::111122223333:role/a"
	const roleB = "arn:aws:iam::111122223333:role/b"
	withSA := func(ns, name, sa string) string {
		return componenttest.Job(ns, name) + "  serviceAccount: " + sa + "\n"
	}
	t.Run("distinct identities", func(t *testing.T) {
		set := componenttest.Set(t, componenttest.Platform,
			withSA("team", "a", "{name: etl, iamRoleArn: "+roleA+"}"),
			withSA("team", "b", "{name: etl, iamRoleArn: "+roleA+"}"),
			withSA("team", "c", "reader"),
			componenttest.Job("team", "d"),
			withSA("other", "e", "{name: etl, iamRoleArn: "+roleB+"}"))
		objs, _, errs := componenttest.Render(t, rbac.Renderer{}, componenttest.Plan(t, set, "dev"))
		if errs != nil {
			t.Fatal(errs)
		}
		for _, tc := range []struct{ ns, name, role string }{
			{"team", "etl", roleA}, {"team", "reader", ""}, {"team", api.DefaultServiceAccount, ""}, {"other", "etl", roleB},
		} {
			sa := componenttest.Find(objs, "ServiceAccount", tc.ns, tc.name)
			if sa == nil {
				t.Errorf("no ServiceAccount %s/%s", tc.ns, tc.name)
				continue
			}
			if got := sa.GetAnnotations()[api.IRSARoleAnnotation]; got != tc.role {
				t.Errorf("%s/%s role annotation %q, want %q", tc.ns, tc.name, got, tc.role)
			}
		}
		binding := componenttest.Find(objs, "RoleBinding", "team", api.DefaultClusterRoleName)
		if binding == nil {
			t.Fatal("no RoleBinding in team")
		}
		subjects, _ := binding.Object["subjects"].([]any)
		if len(subjects) != 3 {
			t.Errorf("team binds %d ServiceAccounts, want etl, flink and reader: %v", len(subjects), subjects)
		}
	})
	t.Run("one name, two roles", func(t *testing.T) {
		set := componenttest.Set(t, componenttest.Platform,
			withSA("team", "a", "{name: etl, iamRoleArn: "+roleA+"}"),
			withSA("team", "b", "{name: etl, iamRoleArn: "+roleB+"}"),
			withSA("team", "c", "etl"))
		_, _, errs := componenttest.Render(t, rbac.Renderer{}, componenttest.Plan(t, set, "dev"))
		if len(errs) != 2 {
			t.Fatalf("got %d problems, want one each for jobs b and c: %v", len(errs), errs)
		}
		for _, want := range []string{"team/b", "team/a", roleA, roleB} {
			if !strings.Contains(errs[0].Message, want) {
				t.Errorf("%q does not name %s", errs[0].Message, want)
			}
		}
		if errs[0].Field != "spec.serviceAccount.iamRoleArn" || errs[1].Field != "spec.serviceAccount" {
			t.Errorf("fields %s, %s", errs[0].Field, errs[1].Field)
		}
	})
}
