// Package nodepool renders one Karpenter NodePool per job, so every job gets
// machines of its own, and the EC2NodeClass they share. The pool carries a
// taint and a label only its job tolerates and selects.
package nodepool

import (
	"sort"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/naming"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Name is the component's name and output folder.
const Name = "nodepools"

// PoolLabel marks a job's nodes and is the key of its taint.
const PoolLabel = "krm-flink.io/nodepool"

// Renderer renders NodePools and the EC2NodeClass.
type Renderer struct{}

var _ component.Renderer = Renderer{}

// Name implements component.Renderer.
func (Renderer) Name() string { return Name }

// Scheduling is how a job's pods land on its own pool.
type Scheduling struct {
	NodeSelector map[string]any
	Tolerations  []any
}

// SchedulingFor returns the node selector and toleration of a job's pool, or
// nothing when node provisioning is off.
func SchedulingFor(p *api.PlatformSpec, namespace, job string) Scheduling {
	if !*p.Nodes.Karpenter.Enabled {
		return Scheduling{}
	}
	pool := naming.NodePool(namespace, job)
	return Scheduling{
		NodeSelector: map[string]any{PoolLabel: pool},
		Tolerations: []any{map[string]any{
			"key": PoolLabel, "operator": "Equal", "value": pool, "effect": "NoSchedule",
		}},
	}
}

// Render implements component.Renderer.
func (Renderer) Render(p *resolve.Plan) ([]*manifest.Object, error) {
	k := &p.Platform.Spec.Nodes.Karpenter
	if !*k.Enabled || len(p.Jobs) == 0 {
		return nil, nil
	}
	out := []*manifest.Object{nodeClass(k)}
	for _, j := range p.Jobs {
		out = append(out, nodePool(k, j))
	}
	return out, nil
}

func nodeClass(k *api.KarpenterNodes) *manifest.Object {
	nc := k.NodeClass
	spec := map[string]any{
		"subnetSelectorTerms":        selectorTerms(nc.SubnetSelectorTerms),
		"securityGroupSelectorTerms": selectorTerms(nc.SecurityGroupSelectorTerms),
	}
	if nc.AMIFamily != "" {
		spec["amiFamily"] = nc.AMIFamily
	}
	if len(nc.AMISelectorTerms) > 0 {
		spec["amiSelectorTerms"] = selectorTerms(nc.AMISelectorTerms)
	}
	if nc.Role != "" {
		spec["role"] = nc.Role
	}
	if nc.InstanceProfile != "" {
		spec["instanceProfile"] = nc.InstanceProfile
	}
	if len(nc.Tags) > 0 {
		spec["tags"] = manifest.StringMap(nc.Tags)
	}
	return manifest.New(Name, map[string]any{
		"apiVersion": "karpenter.k8s.aws/" + k.APIVersion,
		"kind":       "EC2NodeClass",
		"metadata":   map[string]any{"name": nc.Name},
		"spec":       spec,
	})
}

func nodePool(k *api.KarpenterNodes, j *resolve.Job) *manifest.Object {
	needs := j.Spec.Nodes
	pool := naming.NodePool(j.Metadata.Namespace, j.Metadata.Name)
	templateSpec := map[string]any{
		"requirements": requirements(needs),
		"taints": []any{map[string]any{
			"key": PoolLabel, "value": pool, "effect": "NoSchedule",
		}},
	}
	disruption := map[string]any{"consolidationPolicy": needs.ConsolidationPolicy}
	if k.APIVersion == api.KarpenterV1 {
		templateSpec["nodeClassRef"] = map[string]any{"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": k.NodeClass.Name}
		templateSpec["expireAfter"] = needs.ExpireAfter
		disruption["consolidateAfter"] = needs.ConsolidateAfter
	} else {
		templateSpec["nodeClassRef"] = map[string]any{"apiVersion": "karpenter.k8s.aws/v1beta1", "kind": "EC2NodeClass", "name": k.NodeClass.Name}
		disruption["expireAfter"] = needs.ExpireAfter
		// v1beta1 rejects consolidateAfter together with WhenUnderutilized.
		if needs.ConsolidationPolicy == "WhenEmpty" {
			disruption["consolidateAfter"] = needs.ConsolidateAfter
		}
	}
	if len(needs.Budgets) > 0 {
		disruption["budgets"] = budgets(needs.Budgets)
	}
	if needs.TerminationGracePeriod != "" {
		templateSpec["terminationGracePeriod"] = needs.TerminationGracePeriod // v1 only, validated
	}
	spec := map[string]any{
		"template": map[string]any{
			"metadata": map[string]any{"labels": map[string]any{
				PoolLabel:                pool,
				"krm-flink.io/job":       j.Metadata.Name,
				"krm-flink.io/namespace": j.Metadata.Namespace,
			}},
			"spec": templateSpec,
		},
		"disruption": disruption,
	}
	if needs.Weight != nil {
		spec["weight"] = int64(*needs.Weight)
	}
	if l := needs.Limits; l != nil && (l.CPU != "" || l.Memory != "") {
		limits := map[string]any{}
		if l.CPU != "" {
			limits["cpu"] = l.CPU
		}
		if l.Memory != "" {
			limits["memory"] = l.Memory
		}
		spec["limits"] = limits
	}
	return manifest.New(Name, map[string]any{
		"apiVersion": "karpenter.sh/" + k.APIVersion,
		"kind":       "NodePool",
		"metadata":   map[string]any{"name": pool},
		"spec":       spec,
	})
}

func budgets(bs []api.DisruptionBudget) []any {
	out := make([]any, 0, len(bs))
	for _, b := range bs {
		m := map[string]any{"nodes": b.Nodes}
		if b.Schedule != "" {
			m["schedule"] = b.Schedule
		}
		if b.Duration != "" {
			m["duration"] = b.Duration
		}
		if len(b.Reasons) > 0 {
			m["reasons"] = manifest.Strings(b.Reasons)
		}
		out = append(out, m)
	}
	return out
}

// DoNotDisruptAnnotation on a pod keeps Karpenter from disrupting its node
// voluntarily (consolidation, drift).
const DoNotDisruptAnnotation = "karpenter.sh/do-not-disrupt"

// PodAnnotations are the Karpenter annotations of a job's Flink pods.
func PodAnnotations(n *api.NodeNeeds) map[string]any {
	out := map[string]any{}
	if n != nil && n.DoNotDisrupt != nil && *n.DoNotDisrupt {
		out[DoNotDisruptAnnotation] = "true"
	}
	return out
}

// requirements are krm-flink's own, in a fixed key order, then the user's
// in their order (validation keeps the two apart).
func requirements(n *api.NodeNeeds) []any {
	var out []any
	add := func(key string, values []string, minValues *int32) {
		if len(values) == 0 {
			return
		}
		vs := append([]string(nil), values...)
		sort.Strings(vs)
		r := map[string]any{"key": key, "operator": "In", "values": manifest.Strings(vs)}
		if minValues != nil {
			r["minValues"] = int64(*minValues)
		}
		out = append(out, r)
	}
	add("kubernetes.io/os", []string{"linux"}, nil)
	add("kubernetes.io/arch", n.Architectures, nil)
	add("karpenter.sh/capacity-type", n.CapacityTypes, nil)
	add("karpenter.k8s.aws/instance-family", n.InstanceFamilies, n.InstanceFamiliesMinValues)
	add("node.kubernetes.io/instance-type", n.InstanceTypes, n.InstanceTypesMinValues)
	add("topology.kubernetes.io/zone", n.Zones, nil)
	for _, req := range n.Requirements {
		r := map[string]any{"key": req.Key, "operator": req.Operator}
		if len(req.Values) > 0 {
			r["values"] = manifest.Strings(req.Values)
		}
		if req.MinValues != nil {
			r["minValues"] = int64(*req.MinValues)
		}
		out = append(out, r)
	}
	return out
}

func selectorTerms(terms []api.SelectorTerm) []any {
	out := make([]any, 0, len(terms))
	for _, t := range terms {
		m := map[string]any{}
		if len(t.Tags) > 0 {
			m["tags"] = manifest.StringMap(t.Tags)
		}
		for k, v := range map[string]string{"id": t.ID, "name": t.Name, "alias": t.Alias, "owner": t.Owner} {
			if v != "" {
				m[k] = v
			}
		}
		out = append(out, m)
	}
	return out
}
