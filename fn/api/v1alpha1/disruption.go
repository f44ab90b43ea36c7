package v1alpha1

import (
	"regexp"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The patterns of the Karpenter NodePool CRDs (v0.34.0 and v1.14.1).
var (
	budgetNodes    = regexp.MustCompile(`^((100|[0-9]{1,2})%|[0-9]+)$`)
	budgetSchedule = regexp.MustCompile(`^(@(annually|yearly|monthly|weekly|daily|midnight|hourly))|((.+)\s(.+)\s(.+)\s(.+)\s(.+))$`)
	// v1 takes hours, minutes or both (8h, 30m, 1h30m); v1beta1 one unit.
	budgetDuration        = regexp.MustCompile(`^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$`)
	budgetDurationV1beta1 = regexp.MustCompile(`^([0-9]+(m|h)+(0s)?)$`)
	gracePeriod           = regexp.MustCompile(`^([0-9]+(s|m|h))+$`)
)

// BudgetReasons are the disruption reasons a v1 budget may name.
var BudgetReasons = []string{"Underutilized", "Empty", "Drifted"}

// validateDisruption checks budgets, terminationGracePeriod and weight
// against the NodePool API version in use.
func validateDisruption(path *field.Path, n *NodeNeeds, apiVersion string) field.ErrorList {
	var errs field.ErrorList
	if len(n.Budgets) > 50 {
		errs = append(errs, field.TooMany(path.Child("budgets"), len(n.Budgets), 50))
	}
	for i, b := range n.Budgets {
		bp := path.Child("budgets").Index(i)
		switch {
		case b.Nodes == "":
			errs = append(errs, field.Required(bp.Child("nodes"), "a count or a percentage, e.g. 0, 1 or 10%"))
		case !budgetNodes.MatchString(b.Nodes):
			errs = append(errs, field.Invalid(bp.Child("nodes"), b.Nodes, "must be a count or a percentage up to 100%, e.g. 0, 1 or 10%"))
		}
		if (b.Schedule == "") != (b.Duration == "") {
			errs = append(errs, field.Required(bp.Child("duration"), "schedule and duration go together"))
		}
		if b.Schedule != "" && !budgetSchedule.MatchString(b.Schedule) {
			errs = append(errs, field.Invalid(bp.Child("schedule"), b.Schedule, "must be a cron schedule such as \"0 9 * * mon-fri\" or @daily"))
		}
		if b.Duration != "" && apiVersion == KarpenterV1 && !budgetDuration.MatchString(b.Duration) {
			errs = append(errs, field.Invalid(bp.Child("duration"), b.Duration, "must be hours and minutes such as 8h, 30m or 1h30m"))
		}
		if b.Duration != "" && apiVersion != KarpenterV1 && !budgetDurationV1beta1.MatchString(b.Duration) {
			errs = append(errs, field.Invalid(bp.Child("duration"), b.Duration, "must be hours or minutes such as 8h or 90m (v1beta1 takes one unit)"))
		}
		if len(b.Reasons) > 0 && apiVersion != KarpenterV1 {
			errs = append(errs, field.Forbidden(bp.Child("reasons"), "budget reasons need Karpenter v1 NodePools (spec.nodes.karpenter.apiVersion v1); the platform renders "+apiVersion))
		} else {
			errs = append(errs, oneOf(bp.Child("reasons"), b.Reasons, BudgetReasons...)...)
		}
	}
	if t := n.TerminationGracePeriod; t != "" {
		if apiVersion != KarpenterV1 {
			errs = append(errs, field.Forbidden(path.Child("terminationGracePeriod"), "terminationGracePeriod needs Karpenter v1 NodePools (spec.nodes.karpenter.apiVersion v1); the platform renders "+apiVersion))
		} else if !gracePeriod.MatchString(t) {
			errs = append(errs, field.Invalid(path.Child("terminationGracePeriod"), t, "must be a duration such as 30m or 2h"))
		}
	}
	if w := n.Weight; w != nil && (*w < 1 || *w > 100) {
		errs = append(errs, field.Invalid(path.Child("weight"), *w, "must be between 1 and 100"))
	}
	return errs
}
