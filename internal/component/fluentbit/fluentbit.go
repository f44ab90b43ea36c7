// Package fluentbit renders the aws-for-fluent-bit chart into kube-system:
// a DaemonSet tailing container logs to CloudWatch Logs in the environment's
// region and log group, with the platform's excluded paths.
package fluentbit

import (
	"fmt"
	"reflect"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/component/helmcomponent"
	"github.com/krm-flink/krm-flink/internal/component/nodepool"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Name is the component's name and output folder.
const Name = api.ComponentFluentBit

// The reference platform's tail input settings.
const (
	TailDB              = "/var/log/flb_kube.db"
	TailMultilineParser = "docker, cri"
	TailMemBufLimit     = "5MB"
	TailSkipLongLines   = "On"
	TailRefreshInterval = 10
)

// RoleArnAnnotation is the IRSA annotation of a ServiceAccount.
const RoleArnAnnotation = helmcomponent.RoleArnAnnotation

// New returns the Fluent Bit component; it loads its chart through charts.
func New(charts helmcomponent.Charts) *helmcomponent.Chart {
	return &helmcomponent.Chart{
		Charts:    charts,
		Component: Name,
		Config:    func(p *resolve.Plan) *api.Component { return &p.Platform.Spec.Components.FluentBit.Component },
		Values:    func(p *resolve.Plan, _ *source.Loaded) map[string]any { return Values(p) },
		Amend:     TolerateNodePools,
	}
}

// NodePoolToleration tolerates the taint of every job NodePool, whatever
// the pool's name.
func NodePoolToleration() map[string]any {
	return map[string]any{"key": nodepool.PoolLabel, "operator": "Exists", "effect": "NoSchedule"}
}

// TolerateNodePools adds NodePoolToleration to the chart's tolerations
// value when krm-flink provisions nodes: every job's nodes carry the pool
// taint, and a log DaemonSet that does not tolerate it ships no Flink log.
// It runs on the merged values, so the user's tolerations are kept beside
// it. (aws-for-fluent-bit's own default is an empty list.)
func TolerateNodePools(p *resolve.Plan, _ *source.Loaded, vals map[string]any) {
	if !*p.Platform.Spec.Nodes.Karpenter.Enabled {
		return
	}
	current, isList := vals["tolerations"].([]any)
	if _, set := vals["tolerations"]; set && !isList {
		return // not a list: left for the chart to refuse
	}
	want := NodePoolToleration()
	for _, t := range current {
		if reflect.DeepEqual(t, want) {
			return
		}
	}
	vals["tolerations"] = append(append([]any(nil), current...), want)
}

// LogGroup is the environment's CloudWatch Logs group: the platform's, or
// /aws/eks/<clusterName>/<environment>/containers.
func LogGroup(p *resolve.Plan) string {
	if g := p.Platform.Spec.Components.FluentBit.LogGroupName; g != "" {
		return g
	}
	return fmt.Sprintf("/aws/eks/%s/%s/containers", p.Platform.Spec.ClusterName, p.Env.Name)
}

// ExcludePath is the tail input's Exclude_Path line, or "" with no excludes.
func ExcludePath(paths []string) string {
	if len(paths) == 0 {
		return ""
	}
	return "Exclude_Path " + strings.Join(paths, ",")
}

// Values are the chart values krm-flink derives for one environment.
func Values(p *resolve.Plan) map[string]any {
	ps := &p.Platform.Spec
	cfg := &ps.Components.FluentBit
	input := map[string]any{
		"enabled":         true,
		"path":            cfg.Path,
		"db":              TailDB,
		"multilineParser": TailMultilineParser,
		"memBufLimit":     TailMemBufLimit,
		"skipLongLines":   TailSkipLongLines,
		"refreshInterval": int64(TailRefreshInterval),
	}
	if x := ExcludePath(cfg.ExcludePaths); x != "" {
		input["extraInputs"] = x
	}
	cw := map[string]any{
		"enabled":         true,
		"region":          ps.Region,
		"logGroupName":    LogGroup(p),
		"autoCreateGroup": true,
		// Charts of the 0.1.x line before 0.1.32 default these templates
		// (0.1.32 and 0.2.x leave them unset), and a template wins over
		// logGroupName: logs would go to per-namespace groups.
		"logGroupTemplate":  "",
		"logStreamTemplate": "",
	}
	if cfg.LogStreamPrefix != "" {
		cw["logStreamPrefix"] = cfg.LogStreamPrefix
	}
	if cfg.LogRetentionDays > 0 {
		cw["logRetentionDays"] = int64(cfg.LogRetentionDays)
	}
	vals := map[string]any{
		"input":          input,
		"cloudWatchLogs": cw,
		// The legacy CloudWatch plugin would ship every line a second time.
		"cloudWatch": map[string]any{"enabled": false},
	}
	if cfg.RoleArn != "" {
		vals["serviceAccount"] = map[string]any{"annotations": map[string]any{RoleArnAnnotation: cfg.RoleArn}}
	}
	return vals
}
