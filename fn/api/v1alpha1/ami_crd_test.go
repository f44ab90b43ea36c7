package v1alpha1

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestV1beta1DefaultAMIFamilyIsInTheCRD: the family a v1beta1 EC2NodeClass
// gets by default must be one the real Karpenter 0.34 CRD accepts (read from
// $KRM_FLINK_CRDS_DIR or <repo>/../shared/crds).
func TestV1beta1DefaultAMIFamilyIsInTheCRD(t *testing.T) {
	base := os.Getenv("KRM_FLINK_CRDS_DIR")
	if base == "" {
		base = filepath.Join("..", "..", "..", "..", "shared", "crds")
	}
	data, err := os.ReadFile(filepath.Join(base, "karpenter-v0.34.0", "karpenter.k8s.aws_ec2nodeclasses.yaml"))
	if err != nil {
		t.Fatalf("the Karpenter 0.34.0 CRDs (set KRM_FLINK_CRDS_DIR): %v", err)
	}
	var crd struct {
		Spec struct {
			Versions []struct {
				Schema struct {
					OpenAPIV3Schema struct {
						Properties struct {
							Spec struct {
								Properties struct {
									AMIFamily struct {
										Enum []string `json:"enum"`
									} `json:"amiFamily"`
								} `json:"properties"`
							} `json:"spec"`
						} `json:"properties"`
					} `json:"openAPIV3Schema"`
				} `json:"schema"`
			} `json:"versions"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &crd); err != nil {
		t.Fatal(err)
	}
	if len(crd.Spec.Versions) == 0 {
		t.Fatal("the CRD has no versions")
	}
	enum := crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties.Spec.Properties.AMIFamily.Enum
	k := KarpenterNodes{APIVersion: KarpenterV1beta1}
	k.defaultFor("c1")
	if !slices.Contains(enum, k.NodeClass.AMIFamily) {
		t.Errorf("a v1beta1 EC2NodeClass defaults to amiFamily %q, which the 0.34.0 CRD refuses (it takes %v)", k.NodeClass.AMIFamily, enum)
	}
}
