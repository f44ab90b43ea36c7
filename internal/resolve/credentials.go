package resolve

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// fieldProblems turns an object's validation errors into problems under
// the platform's spec.policy.plainTextCredentials: with warn, a credential
// written in plain text is a warning and renders as written.
func fieldProblems(file string, obj problem.ObjectRef, errs field.ErrorList, policy string) problem.List {
	errs, allowed := api.ApplyCredentialPolicy(errs, policy)
	out := problem.FromFieldErrors(file, obj, errs)
	for _, e := range allowed {
		out = append(out, problem.Warningf(file, obj, e.Field, "%s", e.Detail))
	}
	return out
}
