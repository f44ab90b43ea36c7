// Package flinkoperator renders the Flink Kubernetes Operator chart
// (flink-kubernetes-operator), wired to the platform: it watches exactly the
// environment's job namespaces, its flink-conf carries the Prometheus
// reporter on the platform's metrics port, and its webhook needs
// cert-manager.
//
// RBAC ownership: the rbac component owns the job ServiceAccount, the job
// ClusterRole and its bindings, so the chart's per-namespace job Role,
// RoleBinding and ServiceAccount are switched off (rbac.jobRole.create,
// rbac.jobRoleBinding.create, jobServiceAccount.create = false). The chart
// keeps the operator's own ServiceAccount and Roles.
package flinkoperator

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/fn/chart/source"
	"github.com/krm-flink/krm-flink/fn/component/helmcomponent"
	"github.com/krm-flink/krm-flink/fn/plan"
	"github.com/krm-flink/krm-flink/fn/problem"
)

// Name is the component's name and output folder.
const Name = api.ComponentFlinkOperator

// Operator settings of the Prometheus reporter, as the reference platform
// wrote them into the operator's flink-conf.yaml.
const (
	ReporterFactoryKey   = "kubernetes.operator.metrics.reporter.prom.factory.class"
	ReporterPortKey      = "kubernetes.operator.metrics.reporter.prom.port"
	ReporterFactoryClass = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"
	flinkConfKey         = "flink-conf.yaml"
)

// New returns the Flink operator component; it loads its chart through charts.
func New(charts helmcomponent.Charts) *helmcomponent.Chart {
	return &helmcomponent.Chart{
		Charts:    charts,
		Component: Name,
		Config:    func(p *plan.Plan) *api.Component { return &p.Platform.Spec.Components.FlinkOperator.Component },
		Values:    func(p *plan.Plan, _ *source.Loaded) map[string]any { return Values(p) },
		Check:     func(p *plan.Plan, _ *source.Loaded, vals map[string]any) problem.List { return Check(p, vals) },
	}
}

// WatchNamespaces are the environment's job namespaces, sorted; with no job
// the operator watches only its own namespace rather than every namespace
// (what an empty list means to the chart).
func WatchNamespaces(p *plan.Plan) []string {
	set := map[string]bool{}
	for _, j := range p.Jobs {
		set[j.Metadata.Namespace] = true
	}
	if len(set) == 0 {
		set[p.Platform.Spec.Components.FlinkOperator.Namespace] = true
	}
	out := make([]string, 0, len(set))
	for ns := range set {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}

// FlinkConf is the operator's flink-conf.yaml override: the platform's
// extra operator settings, then the Prometheus reporter on the platform's
// metrics port (the chart appends it to its defaults).
func FlinkConf(p *plan.Plan) string {
	cfg := &p.Platform.Spec.Components.FlinkOperator
	conf := map[string]string{}
	for k, v := range cfg.FlinkConfiguration {
		conf[k] = v
	}
	conf[ReporterFactoryKey] = ReporterFactoryClass
	conf[ReporterPortKey] = strconv.Itoa(int(p.Platform.Spec.Metrics.Port))
	keys := make([]string, 0, len(conf))
	for k := range conf {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("# Set by krm-flink from the FlinkPlatform.\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, conf[k])
	}
	return b.String()
}

// Values are the chart values krm-flink derives for one environment.
func Values(p *plan.Plan) map[string]any {
	cfg := &p.Platform.Spec.Components.FlinkOperator
	var watch []any
	for _, ns := range WatchNamespaces(p) {
		watch = append(watch, ns)
	}
	return map[string]any{
		"watchNamespaces": watch,
		"metrics":         map[string]any{"port": int64(p.Platform.Spec.Metrics.Port)},
		"defaultConfiguration": map[string]any{
			"create":     true,
			"append":     true,
			flinkConfKey: FlinkConf(p),
		},
		"webhook": map[string]any{"create": *cfg.Webhook},
		// The rbac component owns the job ServiceAccount and its permissions.
		"rbac": map[string]any{
			"jobRole":        map[string]any{"create": false},
			"jobRoleBinding": map[string]any{"create": false},
		},
		"jobServiceAccount": map[string]any{"create": false},
	}
}

// Check holds the final values (the user's merged last) to the wiring rules:
// the metrics port and the reporter port are the platform's, every job
// namespace is watched, and a webhook has cert-manager.
func Check(p *plan.Plan, vals map[string]any) problem.List {
	ps := &p.Platform.Spec
	var probs problem.List
	file, ref := "", problem.ObjectRef{}
	if p.Source != nil {
		file, ref = p.Source.File, p.Source.Ref()
	}
	field := helmcomponent.Field(Name) + ".values"
	port := strconv.Itoa(int(ps.Metrics.Port))
	if v, _ := helmcomponent.Lookup(vals, "metrics", "port"); fmt.Sprint(v) != port {
		probs = append(probs, problem.Errorf(file, ref, field+".metrics.port",
			"is %v; the operator's metrics port must be spec.metrics.port (%s)", v, port))
	}
	conf, _ := helmcomponent.Lookup(vals, "defaultConfiguration", flinkConfKey)
	confStr, _ := conf.(string)
	if got, ok := confValue(confStr, ReporterPortKey); !ok || got != port {
		probs = append(probs, problem.Errorf(file, ref, field+".defaultConfiguration[flink-conf.yaml]",
			"sets %s to %q; it must be spec.metrics.port (%s)", ReporterPortKey, got, port))
	}
	if got, _ := confValue(confStr, ReporterFactoryKey); got != ReporterFactoryClass {
		probs = append(probs, problem.Errorf(file, ref, field+".defaultConfiguration[flink-conf.yaml]",
			"sets %s to %q; the platform's metrics need %s", ReporterFactoryKey, got, ReporterFactoryClass))
	}
	if w, _ := helmcomponent.Lookup(vals, "webhook", "create"); w == true && !*ps.Components.CertManager.Enabled {
		probs = append(probs, problem.Errorf(file, ref, field+".webhook.create",
			"the operator's webhook needs cert-manager for its certificate: enable spec.components.cert-manager or switch the webhook off"))
	}
	watched := map[string]bool{}
	if list, ok := helmcomponent.Lookup(vals, "watchNamespaces"); ok {
		items, _ := list.([]any)
		for _, ns := range items {
			watched[fmt.Sprint(ns)] = true
		}
		if len(items) > 0 {
			for _, ns := range WatchNamespaces(p) {
				if !watched[ns] {
					probs = append(probs, problem.Errorf(file, ref, field+".watchNamespaces",
						"leaves out job namespace %s: the operator would never run its jobs", ns))
				}
			}
		}
	}
	return probs
}

// confValue returns the last value a flink-conf.yaml text gives key.
func confValue(conf, key string) (string, bool) {
	val, found := "", false
	for _, line := range strings.Split(conf, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == key {
			val, found = strings.Trim(strings.TrimSpace(v), `"'`), true
		}
	}
	return val, found
}
