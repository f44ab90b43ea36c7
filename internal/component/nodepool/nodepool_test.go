package nodepool

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
)

func TestRequirements(t *testing.T) {
	two := int32(2)
	os := map[string]any{"key": "kubernetes.io/os", "operator": "In", "values": []any{"linux"}}
	tests := []struct {
		name string
		n    api.NodeNeeds
		want []any
	}{
		{name: "only the os", want: []any{os}},
		{name: "fields sorted, then requirements in their order", n: api.NodeNeeds{
			InstanceFamilies: []string{"m7i", "m6i"}, InstanceFamiliesMinValues: &two,
			Zones: []string{"us-east-1b", "us-east-1a"},
			Requirements: []api.NodeRequirement{
				{Key: "karpenter.k8s.aws/instance-size", Operator: "NotIn", Values: []string{"nano", "metal"}},
				{Key: "karpenter.k8s.aws/instance-category", Operator: "Exists", MinValues: &two},
			},
		}, want: []any{
			os,
			map[string]any{"key": "karpenter.k8s.aws/instance-family", "operator": "In", "values": []any{"m6i", "m7i"}, "minValues": int64(2)},
			map[string]any{"key": "topology.kubernetes.io/zone", "operator": "In", "values": []any{"us-east-1a", "us-east-1b"}},
			map[string]any{"key": "karpenter.k8s.aws/instance-size", "operator": "NotIn", "values": []any{"nano", "metal"}},
			map[string]any{"key": "karpenter.k8s.aws/instance-category", "operator": "Exists", "minValues": int64(2)},
		}},
		{name: "instance types minValues", n: api.NodeNeeds{InstanceTypes: []string{"c6i.large", "m6i.large"}, InstanceTypesMinValues: &two}, want: []any{
			os,
			map[string]any{"key": "node.kubernetes.io/instance-type", "operator": "In", "values": []any{"c6i.large", "m6i.large"}, "minValues": int64(2)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, requirements(&tt.n)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
