package v1alpha1

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// AMIAliasFamilies maps each EC2NodeClass amiFamily of Karpenter v1 that has
// EKS-optimized AMIs to the family part of its amiSelectorTerms alias, as the
// v1 CRD pairs them ("amiFamily must be 'AL2' or 'Custom' when using an AL2
// alias", and so on). Custom has no alias.
var AMIAliasFamilies = map[string]string{
	"AL2":          "al2",
	"AL2023":       "al2023",
	"Bottlerocket": "bottlerocket",
	"Windows2019":  "windows2019",
	"Windows2022":  "windows2022",
	"Windows2025":  "windows2025",
}

// AMIFamilyCustom is the amiFamily that fits any alias (or none).
const AMIFamilyCustom = "Custom"

// AMIFamiliesV1 are the amiFamily values the Karpenter v1 CRD accepts.
var AMIFamiliesV1 = []string{"AL2", "AL2023", "Bottlerocket", AMIFamilyCustom, "Windows2019", "Windows2022", "Windows2025"}

// DefaultAMIAliasFor is the amiSelectorTerms alias a v1 EC2NodeClass gets
// for its amiFamily when it selects no AMIs itself: the family's latest
// EKS-optimized AMI (AL2023 without a family). Custom and unknown families
// get none: they must select their AMIs.
func DefaultAMIAliasFor(amiFamily string) string {
	if amiFamily == "" {
		return DefaultAMIAlias
	}
	if f, ok := AMIAliasFamilies[amiFamily]; ok {
		return f + "@latest"
	}
	return ""
}

// splitAlias splits an alias "family@version".
func splitAlias(alias string) (family, version string, ok bool) {
	family, version, ok = strings.Cut(alias, "@")
	return family, version, ok && family != "" && version != ""
}

// LatestAMIAlias tells whether an alias follows the newest AMI of its family.
func LatestAMIAlias(alias string) bool {
	_, v, ok := splitAlias(alias)
	return ok && v == "latest"
}

// validateAMIs checks the node class's amiFamily and amiSelectorTerms as the
// Karpenter CRD of the API version in use would, before anything is applied.
func (nc *NodeClass) validateAMIs(path *field.Path, apiVersion string) field.ErrorList {
	var errs field.ErrorList
	terms := path.Child("amiSelectorTerms")
	if apiVersion != KarpenterV1 {
		for i, t := range nc.AMISelectorTerms {
			if t.Alias != "" {
				errs = append(errs, field.Invalid(terms.Index(i).Child("alias"), t.Alias,
					"Karpenter v1beta1 has no AMI aliases: select AMIs by id, name or tags with amiFamily, or use apiVersion v1"))
			}
		}
		return errs
	}
	if nc.AMIFamily != "" {
		errs = append(errs, oneOf(path.Child("amiFamily"), []string{nc.AMIFamily}, AMIFamiliesV1...)...)
	}
	aliases := 0
	for i, t := range nc.AMISelectorTerms {
		if t.Alias == "" {
			continue
		}
		aliases++
		ap := terms.Index(i).Child("alias")
		family, version, ok := splitAlias(t.Alias)
		known := false
		for _, f := range AMIAliasFamilies {
			known = known || f == family
		}
		switch {
		case !ok:
			errs = append(errs, field.Invalid(ap, t.Alias, "must be family@version, e.g. al2023@v20240807 or al2023@latest"))
			continue
		case !known:
			errs = append(errs, field.Invalid(ap, t.Alias, "the family must be one of al2, al2023, bottlerocket, windows2019, windows2022, windows2025"))
			continue
		case strings.HasPrefix(family, "windows") && version != "latest":
			errs = append(errs, field.Invalid(ap, t.Alias, "Windows aliases take only the version latest"))
		}
		if len(t.Tags) > 0 || t.ID != "" || t.Name != "" || t.Owner != "" {
			errs = append(errs, field.Invalid(ap, t.Alias, "an alias term selects by alias alone: drop its tags, id, name and owner"))
		}
		if nc.AMIFamily != "" && nc.AMIFamily != AMIFamilyCustom && AMIAliasFamilies[nc.AMIFamily] != family {
			errs = append(errs, field.Invalid(path.Child("amiFamily"), nc.AMIFamily,
				fmt.Sprintf("does not match %s (alias %s): Karpenter v1 accepts only amiFamily %s or Custom with it; drop amiFamily (the alias implies it) or choose the alias of %s, e.g. %s",
					ap, t.Alias, familyOfAlias(family), nc.AMIFamily, DefaultAMIAliasFor(nc.AMIFamily))))
		}
	}
	if aliases > 0 && len(nc.AMISelectorTerms) > 1 {
		errs = append(errs, field.Invalid(terms, len(nc.AMISelectorTerms), "an alias must be the only AMI selector term"))
	}
	if aliases == 0 && len(nc.AMISelectorTerms) > 0 && nc.AMIFamily == "" {
		errs = append(errs, field.Required(path.Child("amiFamily"), "Karpenter v1 needs it when no amiSelectorTerms alias implies it"))
	}
	return errs
}

func familyOfAlias(family string) string {
	for k, v := range AMIAliasFamilies {
		if v == family {
			return k
		}
	}
	return family
}
