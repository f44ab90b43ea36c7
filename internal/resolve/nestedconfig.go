package resolve

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/krm-flink/krm-flink/internal/flinkcrd"
)

// nestedConfigErrors reports flinkConfiguration keys written as nested
// mappings (paths, as input.Job.NestedConfig holds them) under one of
// prefixes (spec.flinkConfiguration) when the operator release's
// FlinkDeployment CRD takes only strings there: the generated CRD facts
// say which release first takes structured configuration.
func nestedConfigErrors(paths, prefixes []string, operatorVersion string) field.ErrorList {
	r, ok := flinkcrd.ParseRelease(operatorVersion)
	if !ok {
		return nil
	}
	var errs field.ErrorList
	for _, p := range paths {
		for _, prefix := range prefixes {
			rest, ok := strings.CutPrefix(p, prefix)
			if !ok || !strings.HasPrefix(rest, "[") || !strings.HasSuffix(rest, "]") {
				continue
			}
			key := rest[1 : len(rest)-1]
			probe := map[string]any{"spec": map[string]any{"flinkConfiguration": map[string]any{key: map[string]any{}}}}
			for _, f := range flinkcrd.Check(flinkcrd.KindFlinkDeployment, r, probe) {
				errs = append(errs, &field.Error{Type: field.ErrorTypeForbidden, Field: p,
					Detail: "a nested mapping: " + f.Describe(flinkcrd.KindFlinkDeployment, operatorVersion) + "; write its keys flat, joined with dots (" + key + ".<key>)"})
			}
		}
	}
	return errs
}
