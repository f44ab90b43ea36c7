package apiserver

import (
	"fmt"
	"os"

	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// FlinkOperatorCRDSet names the CRD set of a Flink operator release under
// shared/crds (1.15.0: flink-kubernetes-operator-1.15.0).
func FlinkOperatorCRDSet(version string) string {
	return "flink-kubernetes-operator-" + version
}

// EnvironmentCRDSets reads the FlinkPlatform of platformFile and returns, per
// environment, the CRD sets its overlay is checked against: the reference
// platform's cert-manager and Karpenter, and the operator release that
// environment pins after its overrides, so an environment that stages a newer
// operator (and its newer kinds) is checked against that release's CRDs.
func EnvironmentCRDSets(platformFile string) (map[string][]string, error) {
	data, err := os.ReadFile(platformFile)
	if err != nil {
		return nil, err
	}
	docs, probs := input.SplitDocuments(platformFile, data)
	if probs.HasErrors() {
		return nil, fmt.Errorf("%s: %v", platformFile, probs)
	}
	var platform *input.Platform
	for _, d := range docs {
		if d.Type.Kind != "FlinkPlatform" {
			continue
		}
		if platform != nil {
			return nil, fmt.Errorf("%s: more than one FlinkPlatform", platformFile)
		}
		if platform, probs = input.DecodePlatform(d); probs.HasErrors() {
			return nil, fmt.Errorf("%s: %v", platformFile, probs)
		}
	}
	if platform == nil {
		return nil, fmt.Errorf("%s: no FlinkPlatform", platformFile)
	}
	sets := map[string][]string{}
	for _, env := range resolve.Environments(platform.FlinkPlatform) {
		p, probs := resolve.PlatformFor(platform, env)
		if probs.HasErrors() {
			return nil, fmt.Errorf("%s: environment %s: %v", platformFile, env, probs)
		}
		sets[env] = []string{CertManager182, FlinkOperatorCRDSet(resolve.OperatorVersion(&p.Spec)), Karpenter034}
	}
	return sets, nil
}
