package v1alpha1

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestValidateRequirements(t *testing.T) {
	tests := []struct {
		name, api string
		karpenter string // the pinned release; default the API version's default
		n         NodeNeeds
		want      []string
	}{
		{name: "every operator on v1", api: KarpenterV1, n: NodeNeeds{
			InstanceFamilies: []string{"m6i", "m7i"}, InstanceFamiliesMinValues: ptr(int32(2)), InstanceTypesMinValues: ptr(int32(50)),
			Requirements: []NodeRequirement{
				{Key: "karpenter.k8s.aws/instance-category", Operator: "In", Values: []string{"c", "m", "r"}, MinValues: ptr(int32(3))},
				{Key: "karpenter.k8s.aws/instance-size", Operator: "NotIn", Values: []string{"metal"}},
				{Key: "karpenter.k8s.aws/instance-gpu-count", Operator: "DoesNotExist"},
				{Key: "karpenter.k8s.aws/instance-hypervisor", Operator: "Exists", MinValues: ptr(int32(1))},
				{Key: "karpenter.k8s.aws/instance-generation", Operator: "Gt", Values: []string{"5"}},
				{Key: "karpenter.k8s.aws/instance-cpu", Operator: "Lt", Values: []string{"65"}},
				{Key: "karpenter.k8s.aws/instance-memory", Operator: "Gte", Values: []string{"8192"}},
				{Key: "karpenter.k8s.aws/instance-ebs-bandwidth", Operator: "Lte", Values: []string{"20000"}},
			}}},
		{name: "Gte and Lte from Karpenter 1.9", api: KarpenterV1, karpenter: "1.9.0", n: NodeNeeds{Requirements: []NodeRequirement{
			{Key: "a.io/x", Operator: "Gte", Values: []string{"0"}},
			{Key: "a.io/x", Operator: "Lte", Values: []string{"4"}}}}},
		{name: "an unparsable pin is taken as new enough", api: KarpenterV1, karpenter: "main", n: NodeNeeds{Requirements: []NodeRequirement{
			{Key: "a.io/x", Operator: "Gte", Values: []string{"1"}}}}},
		{name: "Gte and Lte before Karpenter 1.9", api: KarpenterV1, karpenter: "v1.8.2", n: NodeNeeds{Requirements: []NodeRequirement{
			{Key: "a.io/x", Operator: "Gte", Values: []string{"5"}},
			{Key: "a.io/x", Operator: "Lte", Values: []string{"5"}},
			{Key: "a.io/x", Operator: "Gt", Values: []string{"5"}}}},
			want: []string{"FieldValueForbidden n.requirements[0].operator", "FieldValueForbidden n.requirements[1].operator"}},
		{name: "Gte and Lte on v1beta1", api: KarpenterV1beta1, n: NodeNeeds{Requirements: []NodeRequirement{
			{Key: "a.io/x", Operator: "Lte", Values: []string{"5"}}}},
			want: []string{"FieldValueForbidden n.requirements[0].operator"}},
		{name: "v1beta1 without minValues", api: KarpenterV1beta1, n: NodeNeeds{Requirements: []NodeRequirement{
			{Key: "karpenter.k8s.aws/instance-generation", Operator: "Gt", Values: []string{"5"}}}}},
		{name: "v1beta1 refuses minValues", api: KarpenterV1beta1, n: NodeNeeds{
			InstanceTypesMinValues: ptr(int32(2)), InstanceFamiliesMinValues: ptr(int32(2)),
			Requirements: []NodeRequirement{{Key: "karpenter.k8s.aws/instance-category", Operator: "In", Values: []string{"c"}, MinValues: ptr(int32(1))}}},
			want: []string{"FieldValueForbidden n.instanceTypesMinValues", "FieldValueForbidden n.instanceFamiliesMinValues", "FieldValueForbidden n.requirements[0].minValues"}},
		{name: "values per operator", api: KarpenterV1, n: NodeNeeds{Requirements: []NodeRequirement{
			{Key: "a.io/x", Operator: "In"},
			{Key: "a.io/x", Operator: "Exists", Values: []string{"y"}},
			{Key: "a.io/x", Operator: "Gt", Values: []string{"1", "2"}},
			{Key: "a.io/x", Operator: "Lt", Values: []string{"-1"}},
			{Key: "a.io/x", Operator: "Equal", Values: []string{"y"}},
			{Key: "a.io/x"},
			{Key: "a.io/x", Operator: "NotIn", Values: []string{"not a label value"}},
			{Key: "a.io/x", Operator: "Gte"},
			{Key: "a.io/x", Operator: "Lte", Values: []string{"1.5"}},
		}}, want: []string{
			"FieldValueRequired n.requirements[0].values",
			"FieldValueForbidden n.requirements[1].values",
			"FieldValueInvalid n.requirements[2].values",
			"FieldValueInvalid n.requirements[3].values[0]",
			"FieldValueNotSupported n.requirements[4].operator",
			"FieldValueRequired n.requirements[5].operator",
			"FieldValueInvalid n.requirements[6].values[0]",
			"FieldValueInvalid n.requirements[7].values",
			"FieldValueInvalid n.requirements[8].values[0]",
		}},
		{name: "keys and minValues bounds", api: KarpenterV1, n: NodeNeeds{InstanceTypesMinValues: ptr(int32(0)), Requirements: []NodeRequirement{
			{Operator: "Exists"},
			{Key: "krm-flink.io/nodepool", Operator: "Exists"},
			{Key: "karpenter.sh/nodepool", Operator: "Exists"},
			{Key: "kubernetes.io/hostname", Operator: "Exists"},
			{Key: "Bad Key", Operator: "Exists"},
			{Key: "a.io/x", Operator: "In", Values: []string{"y"}, MinValues: ptr(int32(2))},
			{Key: "a.io/x", Operator: "Exists", MinValues: ptr(int32(51))},
		}}, want: []string{
			"FieldValueInvalid n.instanceTypesMinValues",
			"FieldValueRequired n.requirements[0].key",
			"FieldValueForbidden n.requirements[1].key",
			"FieldValueForbidden n.requirements[2].key",
			"FieldValueForbidden n.requirements[3].key",
			"FieldValueInvalid n.requirements[4].key",
			"FieldValueInvalid n.requirements[5].minValues",
			"FieldValueInvalid n.requirements[6].minValues",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			karpenter := tt.karpenter
			if karpenter == "" {
				karpenter = map[string]string{KarpenterV1: DefaultKarpenterV1Version, KarpenterV1beta1: DefaultKarpenterV1beta1Version}[tt.api]
			}
			got := paths(validateRequirements(field.NewPath("n"), &tt.n, tt.api, karpenter))
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequirementClashes(t *testing.T) {
	family := func(op string) []NodeRequirement {
		return []NodeRequirement{{Key: "karpenter.k8s.aws/instance-family", Operator: op, Values: []string{"t3"}}}
	}
	tests := []struct {
		name          string
		defaults, job NodeNeeds
		platform      bool     // job are the platform defaults themselves
		want          []string // "Type path: detail fragment"
	}{
		{name: "unset fields leave their keys free", job: NodeNeeds{Requirements: append(family("NotIn"),
			NodeRequirement{Key: "node.kubernetes.io/instance-type", Operator: "NotIn", Values: []string{"t3.nano"}})}},
		{name: "job field and job requirement", job: NodeNeeds{InstanceFamilies: []string{"m6i"}, Requirements: family("NotIn")},
			want: []string{"FieldValueForbidden n.requirements[0].key: rendered from n.instanceFamilies"}},
		{name: "default field and job requirement", defaults: NodeNeeds{InstanceFamilies: []string{"m6i"}}, job: NodeNeeds{Requirements: family("In")},
			want: []string{"FieldValueForbidden n.requirements[0].key: rendered from the platform's spec.nodes.karpenter.defaults.instanceFamilies"}},
		{name: "job field and default requirement", defaults: NodeNeeds{Requirements: family("NotIn")}, job: NodeNeeds{InstanceFamilies: []string{"m6i"}},
			want: []string{"FieldValueForbidden n.instanceFamilies: the platform's spec.nodes.karpenter.defaults.requirements[0]"}},
		{name: "job requirements replace the defaults'", defaults: NodeNeeds{Requirements: family("NotIn")},
			job: NodeNeeds{InstanceFamilies: []string{"m6i"}, Requirements: []NodeRequirement{{Key: "a.io/x", Operator: "Exists"}}}},
		{name: "keys krm-flink always renders", job: NodeNeeds{Requirements: []NodeRequirement{
			{Key: "kubernetes.io/os", Operator: "In", Values: []string{"linux"}},
			{Key: "kubernetes.io/arch", Operator: "In", Values: []string{"arm64"}},
			{Key: "karpenter.sh/capacity-type", Operator: "In", Values: []string{"spot"}},
		}}, want: []string{
			"FieldValueForbidden n.requirements[0].key: kubernetes.io/os In linux",
			"FieldValueForbidden n.requirements[1].key: rendered from n.architectures",
			"FieldValueForbidden n.requirements[2].key: rendered from n.capacityTypes",
		}},
		{name: "platform defaults", platform: true, job: NodeNeeds{CapacityTypes: []string{"on-demand"}, Requirements: []NodeRequirement{
			{Key: "karpenter.sh/capacity-type", Operator: "NotIn", Values: []string{"spot"}}}},
			want: []string{"FieldValueForbidden n.requirements[0].key: rendered from n.capacityTypes (default on-demand)"}},
		{name: "a clash wholly inherited is the platform's", defaults: NodeNeeds{InstanceFamilies: []string{"m6i"}, InstanceFamiliesMinValues: ptr(int32(3)), Requirements: family("NotIn")}},
		{name: "minValues above the values", defaults: NodeNeeds{InstanceTypes: []string{"m6i.large"}},
			job:  NodeNeeds{InstanceTypesMinValues: ptr(int32(2)), InstanceFamilies: []string{"m6i", "m7i"}, InstanceFamiliesMinValues: ptr(int32(2))},
			want: []string{"FieldValueInvalid n.instanceTypesMinValues: at most the number of instanceTypes (1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs field.ErrorList
			if tt.platform {
				errs = requirementClashes(field.NewPath("n"), &tt.job, nil)
			} else {
				errs = requirementClashes(field.NewPath("n"), mergeNodes(&tt.defaults, &tt.job), &tt.defaults)
			}
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d errors, want %d: %v", len(errs), len(tt.want), errs)
			}
			for i, e := range errs {
				typePath, fragment, _ := strings.Cut(tt.want[i], ": ")
				if got := string(e.Type) + " " + e.Field; got != typePath || !strings.Contains(e.Detail, fragment) {
					t.Errorf("error %d = %s: %s, want %s", i, got, e.Detail, tt.want[i])
				}
			}
		})
	}
}

func TestStrictEquivalent(t *testing.T) {
	tests := []struct {
		op, value, want string
	}{
		{"Gte", "6", "Gt 5"},
		{"Gte", "0", "Exists"},
		{"Lte", "32", "Lt 33"},
		{"Lte", "0", "Lt 1"},
		{"Gte", "x", "Gt with the value one less"},
		{"Lte", "-2", "Lt with the value one more"},
	}
	for _, tt := range tests {
		if got := strictEquivalent(NodeRequirement{Operator: tt.op, Values: []string{tt.value}}); got != tt.want {
			t.Errorf("%s %s: got %q, want %q", tt.op, tt.value, got, tt.want)
		}
	}
}
