package v1alpha1

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestValidateDisruption(t *testing.T) {
	tests := []struct {
		name, api string
		n         NodeNeeds
		want      []string
	}{
		{name: "v1 all", api: KarpenterV1, n: NodeNeeds{TerminationGracePeriod: "1h30m", Weight: ptr(int32(100)),
			Budgets: []DisruptionBudget{{Nodes: "0", Reasons: []string{"Drifted"}}, {Nodes: "5", Schedule: "@daily", Duration: "1h30m"}}}},
		{name: "v1beta1 budgets", api: KarpenterV1beta1, n: NodeNeeds{Weight: ptr(int32(1)),
			Budgets: []DisruptionBudget{{Nodes: "100%", Schedule: "0 8 * * *", Duration: "90m"}}}},
		{name: "v1beta1 refuses v1 fields", api: KarpenterV1beta1, n: NodeNeeds{TerminationGracePeriod: "1h",
			Budgets: []DisruptionBudget{{Nodes: "1", Reasons: []string{"Empty"}}, {Nodes: "1", Schedule: "@daily", Duration: "1h30m"}}},
			want: []string{"FieldValueForbidden n.budgets[0].reasons", "FieldValueInvalid n.budgets[1].duration", "FieldValueForbidden n.terminationGracePeriod"}},
		{name: "bad values", api: KarpenterV1, n: NodeNeeds{TerminationGracePeriod: "Never", Weight: ptr(int32(0)),
			Budgets: []DisruptionBudget{{}, {Nodes: "101%", Duration: "1h", Reasons: []string{"Expired"}}}},
			want: []string{
				"FieldValueRequired n.budgets[0].nodes",
				"FieldValueInvalid n.budgets[1].nodes",
				"FieldValueRequired n.budgets[1].duration",
				"FieldValueNotSupported n.budgets[1].reasons[0]",
				"FieldValueInvalid n.terminationGracePeriod",
				"FieldValueInvalid n.weight",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := paths(validateDisruption(field.NewPath("n"), &tt.n, tt.api))
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
