package gitops

import (
	"embed"
	"strings"

	"github.com/krm-flink/krm-flink/internal/manifest"
)

// The health checks are Lua, as Argo CD runs them: health/common.lua (the
// helpers) followed by health/<Kind>.lua is the script of one kind.
//
//go:embed health/*.lua
var healthFS embed.FS

// FlinkGroup is the API group of the Flink operator's kinds.
const FlinkGroup = "flink.apache.org"

// HealthKinds are the Flink operator's kinds with a health check, sorted.
var HealthKinds = []string{"FlinkBlueGreenDeployment", "FlinkDeployment", "FlinkSessionJob", "FlinkStateSnapshot"}

// HealthKey is the argocd-cm key of a kind's health check.
func HealthKey(group, kind string) string {
	return "resource.customizations.health." + group + "_" + kind
}

// HealthScript returns the Lua health check of a Flink operator kind.
func HealthScript(kind string) (string, error) {
	common, err := healthFS.ReadFile("health/common.lua")
	if err != nil {
		return "", err
	}
	own, err := healthFS.ReadFile("health/" + kind + ".lua")
	if err != nil {
		return "", err
	}
	return string(common) + "\n" + string(own), nil
}

// ArgoConfigMapName is the ConfigMap Argo CD reads its settings from.
const ArgoConfigMapName = "argocd-cm"

// ArgoHealthChecks returns the argocd-cm keys that install the health
// checks: applied to Argo CD's namespace, they merge into its argocd-cm
// (kubectl apply, client- or server-side, keeps the keys it does not set).
func ArgoHealthChecks(namespace string) *manifest.Object {
	data := map[string]any{}
	for _, kind := range HealthKinds {
		script, err := HealthScript(kind)
		if err != nil {
			panic(err) // embedded: a missing file is a build error
		}
		data[HealthKey(FlinkGroup, kind)] = strings.TrimRight(script, "\n") + "\n"
	}
	return manifest.New(ArgoComponent, map[string]any{
		"apiVersion": "v1",
		"kind":       "ConfigMap",
		"metadata": map[string]any{
			"name":      ArgoConfigMapName,
			"namespace": namespace,
			// Argo CD reads only ConfigMaps labelled part-of argocd.
			"labels": map[string]any{"app.kubernetes.io/name": ArgoConfigMapName, "app.kubernetes.io/part-of": "argocd"},
		},
		"data": data,
	})
}
