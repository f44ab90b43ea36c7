package v1alpha1

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestDefaultAMIAliasFollowsFamily(t *testing.T) {
	for family, want := range map[string]string{
		"":             "al2023@latest",
		"AL2":          "al2@latest",
		"AL2023":       "al2023@latest",
		"Bottlerocket": "bottlerocket@latest",
		"Windows2022":  "windows2022@latest",
		"Custom":       "",
	} {
		k := KarpenterNodes{APIVersion: KarpenterV1, NodeClass: NodeClass{AMIFamily: family}}
		k.defaultFor("c1")
		var got string
		if len(k.NodeClass.AMISelectorTerms) > 0 {
			got = k.NodeClass.AMISelectorTerms[0].Alias
		}
		if got != want {
			t.Errorf("amiFamily %q: default alias %q, want %q", family, got, want)
		}
	}
}

func TestValidateAMIs(t *testing.T) {
	tests := []struct {
		name       string
		apiVersion string
		nc         NodeClass
		want       []string
	}{
		{name: "alias alone", apiVersion: KarpenterV1, nc: NodeClass{AMISelectorTerms: []SelectorTerm{{Alias: "al2@v20240807"}}}},
		{name: "family matches", apiVersion: KarpenterV1, nc: NodeClass{AMIFamily: "AL2", AMISelectorTerms: []SelectorTerm{{Alias: "al2@latest"}}}},
		{name: "custom fits any alias", apiVersion: KarpenterV1, nc: NodeClass{AMIFamily: "Custom", AMISelectorTerms: []SelectorTerm{{Alias: "bottlerocket@v1.20.0"}}}},
		{name: "ids with family", apiVersion: KarpenterV1, nc: NodeClass{AMIFamily: "AL2", AMISelectorTerms: []SelectorTerm{{ID: "ami-1"}, {ID: "ami-2"}}}},
		{
			name: "family conflicts", apiVersion: KarpenterV1,
			nc:   NodeClass{AMIFamily: "AL2", AMISelectorTerms: []SelectorTerm{{Alias: "al2023@latest"}}},
			want: []string{"FieldValueInvalid nc.amiFamily"},
		},
		{
			name: "bad aliases", apiVersion: KarpenterV1,
			nc: NodeClass{AMISelectorTerms: []SelectorTerm{{Alias: "al2023"}, {Alias: "ubuntu@latest"}, {Alias: "windows2022@v1", ID: "ami-1"}}},
			want: []string{
				"FieldValueInvalid nc.amiSelectorTerms[0].alias",
				"FieldValueInvalid nc.amiSelectorTerms[1].alias",
				"FieldValueInvalid nc.amiSelectorTerms[2].alias",
				"FieldValueInvalid nc.amiSelectorTerms[2].alias",
				"FieldValueInvalid nc.amiSelectorTerms",
			},
		},
		{
			name: "no alias needs a family", apiVersion: KarpenterV1,
			nc:   NodeClass{AMISelectorTerms: []SelectorTerm{{ID: "ami-1"}}},
			want: []string{"FieldValueRequired nc.amiFamily"},
		},
		{
			name: "unknown family", apiVersion: KarpenterV1,
			nc:   NodeClass{AMIFamily: "Ubuntu", AMISelectorTerms: []SelectorTerm{{ID: "ami-1"}}},
			want: []string{"FieldValueNotSupported nc.amiFamily"},
		},
		{
			name: "v1beta1 has no alias", apiVersion: KarpenterV1beta1,
			nc:   NodeClass{AMIFamily: "AL2", AMISelectorTerms: []SelectorTerm{{Alias: "al2@latest"}}},
			want: []string{"FieldValueInvalid nc.amiSelectorTerms[0].alias"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := paths(tt.nc.validateAMIs(field.NewPath("nc"), tt.apiVersion))
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}
