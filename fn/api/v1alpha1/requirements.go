package v1alpha1

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// RequirementOperators are the NodePool requirement operators krm-flink
// takes; Gte and Lte only where the pinned Karpenter has them.
var RequirementOperators = []string{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", "Gte", "Lte"}

// InclusiveOperatorsKarpenterVersion is the first Karpenter release whose
// NodePool CRD takes the operators Gte and Lte (v1.9.0; v1.8 has only Gt
// and Lt).
const InclusiveOperatorsKarpenterVersion = "1.9.0"

// poolLabel is krm-flink's own label pinning a job to its NodePool.
const poolLabel = "krm-flink.io/nodepool"

// builtinRequirement is a requirement krm-flink renders from a NodeNeeds
// field; always means it is rendered whether or not the field is set (a
// default applies).
type builtinRequirement struct {
	field, key string
	values     func(*NodeNeeds) []string
	always     bool
}

var builtinRequirements = []builtinRequirement{
	{field: "architectures", key: "kubernetes.io/arch", values: func(n *NodeNeeds) []string { return n.Architectures }, always: true},
	{field: "capacityTypes", key: "karpenter.sh/capacity-type", values: func(n *NodeNeeds) []string { return n.CapacityTypes }, always: true},
	{field: "instanceFamilies", key: "karpenter.k8s.aws/instance-family", values: func(n *NodeNeeds) []string { return n.InstanceFamilies }},
	{field: "instanceTypes", key: "node.kubernetes.io/instance-type", values: func(n *NodeNeeds) []string { return n.InstanceTypes }},
	{field: "zones", key: "topology.kubernetes.io/zone", values: func(n *NodeNeeds) []string { return n.Zones }},
}

// validateRequirements checks the shape of requirements and the minValues
// fields against the NodePool API version in use and the Karpenter release
// the platform pins (karpenterVersion).
func validateRequirements(path *field.Path, n *NodeNeeds, apiVersion, karpenterVersion string) field.ErrorList {
	var errs field.ErrorList
	minValues := func(p *field.Path, mv *int32) {
		switch {
		case mv == nil:
		case apiVersion != KarpenterV1:
			errs = append(errs, field.Forbidden(p, "minValues needs Karpenter v1 NodePools (spec.nodes.karpenter.apiVersion v1); the platform renders "+apiVersion+", whose NodePool has no minValues"))
		case *mv < 1 || *mv > 50:
			errs = append(errs, field.Invalid(p, *mv, "must be between 1 and 50"))
		}
	}
	minValues(path.Child("instanceTypesMinValues"), n.InstanceTypesMinValues)
	minValues(path.Child("instanceFamiliesMinValues"), n.InstanceFamiliesMinValues)
	for i, r := range n.Requirements {
		rp := path.Child("requirements").Index(i)
		switch {
		case r.Key == "":
			errs = append(errs, field.Required(rp.Child("key"), "a node label key, e.g. karpenter.k8s.aws/instance-generation"))
		case r.Key == poolLabel:
			errs = append(errs, field.Forbidden(rp.Child("key"), poolLabel+" is krm-flink's own label pinning the job to its NodePool: leave it out"))
		case r.Key == "karpenter.sh/nodepool" || r.Key == "kubernetes.io/hostname":
			errs = append(errs, field.Forbidden(rp.Child("key"), "Karpenter refuses a requirement on "+r.Key))
		default:
			for _, msg := range validation.IsQualifiedName(r.Key) {
				errs = append(errs, field.Invalid(rp.Child("key"), r.Key, msg))
			}
		}
		vp := rp.Child("values")
		labelValues := true // Gt, Lt, Gte and Lte check their one integer themselves
		switch r.Operator {
		case "":
			errs = append(errs, field.Required(rp.Child("operator"), "one of "+strings.Join(RequirementOperators, ", ")))
		case "In", "NotIn":
			if len(r.Values) == 0 {
				errs = append(errs, field.Required(vp, "operator "+r.Operator+" needs at least one value"))
			}
		case "Exists", "DoesNotExist":
			if len(r.Values) > 0 {
				errs = append(errs, field.Forbidden(vp, "operator "+r.Operator+" takes no values"))
			}
		case "Gte", "Lte":
			if apiVersion != KarpenterV1 || !KarpenterAtLeast(karpenterVersion, InclusiveOperatorsKarpenterVersion) {
				errs = append(errs, field.Forbidden(rp.Child("operator"), fmt.Sprintf(
					"operator %s needs Karpenter %s or later (karpenter.sh/v1 NodePools) and the platform pins Karpenter %s (spec.components.karpenter.version on the FlinkPlatform); write it as %s",
					r.Operator, InclusiveOperatorsKarpenterVersion, karpenterVersion, strictEquivalent(r))))
			}
			fallthrough
		case "Gt", "Lt":
			labelValues = false
			if len(r.Values) != 1 {
				errs = append(errs, field.Invalid(vp, r.Values, "operator "+r.Operator+" takes exactly one value, a non-negative integer"))
			} else if v, err := strconv.ParseInt(r.Values[0], 10, 64); err != nil || v < 0 {
				errs = append(errs, field.Invalid(vp.Index(0), r.Values[0], "operator "+r.Operator+" takes a non-negative integer"))
			}
		default:
			errs = append(errs, field.NotSupported(rp.Child("operator"), r.Operator, RequirementOperators))
		}
		for j, v := range r.Values {
			for _, msg := range validation.IsValidLabelValue(v) {
				if labelValues {
					errs = append(errs, field.Invalid(vp.Index(j), v, msg))
				}
			}
		}
		minValues(rp.Child("minValues"), r.MinValues)
		if mv := r.MinValues; mv != nil && apiVersion == KarpenterV1 && r.Operator == "In" && len(r.Values) > 0 && int(*mv) > len(r.Values) {
			errs = append(errs, field.Invalid(rp.Child("minValues"), *mv, fmt.Sprintf("must be at most the number of values (%d)", len(r.Values))))
		}
	}
	return errs
}

// requirementClashes refuses a requirement on a key krm-flink already
// renders from a field. A job's needs are checked once merged over the
// platform defaults (Default runs before Validate), so a value equal to the
// default's is taken as inherited: the error then names the default, and a
// clash wholly inherited is left to the platform's own check. defaults is
// nil when n are the platform defaults themselves.
func requirementClashes(path *field.Path, n, defaults *NodeNeeds) field.ErrorList {
	const defaultsPath = "spec.nodes.karpenter.defaults"
	inherited := func(own, def any) bool {
		return defaults != nil && reflect.DeepEqual(own, def) && !reflect.ValueOf(def).IsZero()
	}
	var base NodeNeeds
	if defaults != nil {
		base = *defaults
	}
	reqsInherited := inherited(n.Requirements, base.Requirements)
	var errs field.ErrorList
	for i, r := range n.Requirements {
		if r.Key == "kubernetes.io/os" {
			if !reqsInherited {
				errs = append(errs, field.Forbidden(path.Child("requirements").Index(i).Child("key"), "krm-flink renders kubernetes.io/os In linux itself (Flink runs on Linux nodes): leave it out"))
			}
			continue
		}
		for _, b := range builtinRequirements {
			values := b.values(n)
			if b.key != r.Key || !b.always && len(values) == 0 {
				continue
			}
			fieldInherited := inherited(values, b.values(&base))
			switch {
			case reqsInherited && fieldInherited:
				// the platform's check reports it
			case reqsInherited:
				errs = append(errs, field.Forbidden(path.Child(b.field), fmt.Sprintf("the platform's %s.requirements[%d] sets %s as well: give the job requirements of its own without that key, or leave %s out", defaultsPath, i, r.Key, b.field)))
			default:
				where := path.Child(b.field).String()
				switch {
				case fieldInherited:
					where = "the platform's " + defaultsPath + "." + b.field
				case len(values) > 0 && b.always && defaults == nil:
					where += " (default " + strings.Join(values, ", ") + ")"
				}
				errs = append(errs, field.Forbidden(path.Child("requirements").Index(i).Child("key"), fmt.Sprintf("%s is rendered from %s as well: list the values in %s instead of a requirement%s", r.Key, where, b.field, minValuesHint(b.field))))
			}
		}
	}
	// minValues of a field needs at least as many values.
	for _, m := range []struct {
		field  string
		mv     *int32
		values []string
		def    *int32
		defVs  []string
	}{
		{"instanceTypes", n.InstanceTypesMinValues, n.InstanceTypes, base.InstanceTypesMinValues, base.InstanceTypes},
		{"instanceFamilies", n.InstanceFamiliesMinValues, n.InstanceFamilies, base.InstanceFamiliesMinValues, base.InstanceFamilies},
	} {
		if m.mv == nil || *m.mv < 1 || int(*m.mv) <= len(m.values) || inherited(m.mv, m.def) && inherited(m.values, m.defVs) {
			continue
		}
		errs = append(errs, field.Invalid(path.Child(m.field+"MinValues"), *m.mv, fmt.Sprintf("must be at most the number of %s (%d)", m.field, len(m.values))))
	}
	return errs
}

// KarpenterAtLeast tells whether Karpenter release v is at least min; an
// unparsable pin counts as new enough (the chart check reports it).
func KarpenterAtLeast(v, min string) bool {
	return OperatorAtLeast(v, min)
}

// InclusiveOperator tells whether op is Gte or Lte, which need Karpenter
// InclusiveOperatorsKarpenterVersion or later.
func InclusiveOperator(op string) bool {
	return op == "Gte" || op == "Lte"
}

// strictEquivalent spells a Gte or Lte requirement with the operators every
// Karpenter v1 takes: Gte n is Gt n-1 (Exists for 0), Lte n is Lt n+1.
func strictEquivalent(r NodeRequirement) string {
	op, delta := "Gt", int64(-1)
	if r.Operator == "Lte" {
		op, delta = "Lt", 1
	}
	v, err := int64(0), error(nil)
	if len(r.Values) == 1 {
		v, err = strconv.ParseInt(r.Values[0], 10, 64)
	}
	switch {
	case len(r.Values) != 1 || err != nil || v < 0:
		return map[string]string{"Gt": "Gt with the value one less", "Lt": "Lt with the value one more"}[op]
	case v+delta < 0:
		return "Exists"
	}
	return fmt.Sprintf("%s %d", op, v+delta)
}

func minValuesHint(field string) string {
	if field == "instanceTypes" || field == "instanceFamilies" {
		return " (" + field + "MinValues sets its minValues)"
	}
	return ""
}
