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
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart/source"
	"github.com/krm-flink/krm-flink/internal/component/helmcomponent"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
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
	// configYAMLKey is the file Flink 1.19+ reads in preference to
	// flink-conf.yaml; newer operator charts render both from
	// defaultConfiguration.
	configYAMLKey = "config.yaml"
)

// New returns the Flink operator component; it loads its chart through charts.
func New(charts helmcomponent.Charts) *helmcomponent.Chart {
	return &helmcomponent.Chart{
		Charts:    charts,
		Component: Name,
		Config:    func(p *resolve.Plan) *api.Component { return &p.Platform.Spec.Components.FlinkOperator.Component },
		Values: func(p *resolve.Plan, l *source.Loaded) map[string]any {
			return Values(p, ConfigKeys(l.Chart))
		},
		Check: func(p *resolve.Plan, l *source.Loaded, vals map[string]any) problem.List {
			return Check(p, ConfigKeys(l.Chart), vals)
		},
	}
}

// WatchNamespaces are the environment's job namespaces, sorted; with no job
// the operator watches only its own namespace rather than every namespace
// (what an empty list means to the chart).
func WatchNamespaces(p *resolve.Plan) []string {
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
func FlinkConf(p *resolve.Plan) string {
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

// ConfigKeys are the defaultConfiguration keys a chart writes the
// operator's Flink configuration from: flink-conf.yaml, and config.yaml too
// for charts whose templates render it (an operator on Flink 1.19+ reads
// config.yaml first, so the reporter must be in both).
func ConfigKeys(c *chart.Chart) []string {
	keys := []string{flinkConfKey}
	for _, t := range c.Templates {
		if bytes.Contains(t.Data, []byte(`"`+configYAMLKey+`"`)) {
			return append(keys, configYAMLKey)
		}
	}
	return keys
}

// Values are the chart values krm-flink derives for one environment;
// configKeys are the chart's ConfigKeys.
func Values(p *resolve.Plan, configKeys []string) map[string]any {
	cfg := &p.Platform.Spec.Components.FlinkOperator
	var watch []any
	for _, ns := range WatchNamespaces(p) {
		watch = append(watch, ns)
	}
	vals := map[string]any{
		"watchNamespaces":      watch,
		"metrics":              map[string]any{"port": int64(p.Platform.Spec.Metrics.Port)},
		"defaultConfiguration": defaultConfiguration(FlinkConf(p), configKeys),
		"webhook":              map[string]any{"create": *cfg.Webhook},
		// The rbac component owns the job ServiceAccount and its permissions.
		"rbac": map[string]any{
			"jobRole":        map[string]any{"create": false},
			"jobRoleBinding": map[string]any{"create": false},
		},
		"jobServiceAccount": map[string]any{"create": false},
	}
	// The operator reads its watched namespaces and configuration when it
	// starts (kubernetes.operator.dynamic.namespaces.enabled is off by
	// default) and the chart's Deployment carries no checksum of its
	// ConfigMap: without this, a new job namespace would get its RBAC but
	// no operator until someone restarts it.
	vals["operatorPod"] = map[string]any{"annotations": map[string]any{
		ConfigHashAnnotation: ConfigHash(helmcomponent.Merge(vals, cfg.Values)),
	}}
	return vals
}

func defaultConfiguration(conf string, keys []string) map[string]any {
	out := map[string]any{"create": true, "append": true}
	for _, k := range keys {
		out[k] = conf
	}
	return out
}

// ConfigHashAnnotation on the operator pod changes with what the operator
// reads only at start, so a change rolls the pod.
const ConfigHashAnnotation = "krm-flink.io/operator-config-hash"

// ConfigHash digests the values the operator's ConfigMap is made of.
func ConfigHash(vals map[string]any) string {
	// encoding/json writes map keys sorted: the same values, the same hash.
	data, err := json.Marshal([]any{vals["watchNamespaces"], vals["defaultConfiguration"]})
	if err != nil {
		panic(fmt.Sprintf("chart values are JSON: %v", err)) // they were decoded from it
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// WebhookOn tells whether the chart will render its webhook (and so the
// cert-manager Issuer and Certificate): webhook.validator.create and
// webhook.mutator.create, where set, take precedence over webhook.create.
func WebhookOn(vals map[string]any) bool {
	create, _, _ := unstructured.NestedFieldNoCopy(vals, "webhook", "create")
	for _, part := range []string{"validator", "mutator"} {
		v := create
		if sub, ok, _ := unstructured.NestedFieldNoCopy(vals, "webhook", part); ok {
			m, _ := sub.(map[string]any)
			v = m["create"]
		}
		if truthy(v) {
			return true
		}
	}
	return false
}

// truthy is Go template truth for the values a chart's `if` sees.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	case int64:
		return t != 0
	case float64:
		return t != 0
	case map[string]any:
		return len(t) > 0
	case []any:
		return len(t) > 0
	}
	return true
}

// Check holds the final values (the user's merged last) to the wiring rules:
// the metrics port and the reporter port are the platform's, every job
// namespace is watched, and a webhook has cert-manager.
func Check(p *resolve.Plan, configKeys []string, vals map[string]any) problem.List {
	ps := &p.Platform.Spec
	var probs problem.List
	file, ref := "", problem.ObjectRef{}
	if p.Source != nil {
		file, ref = p.Source.File, p.Source.Ref()
	}
	field := helmcomponent.Field(Name) + ".values"
	port := strconv.Itoa(int(ps.Metrics.Port))
	if v, _, _ := unstructured.NestedFieldNoCopy(vals, "metrics", "port"); fmt.Sprint(v) != port {
		probs = append(probs, problem.Errorf(file, ref, field+".metrics.port",
			"is %v; the operator's metrics port must be spec.metrics.port (%s)", v, port))
	}
	for _, key := range configKeys {
		conf, _, _ := unstructured.NestedFieldNoCopy(vals, "defaultConfiguration", key)
		confStr, _ := conf.(string)
		confField := field + ".defaultConfiguration[" + key + "]"
		if got, ok := confValue(confStr, ReporterPortKey); !ok || got != port {
			probs = append(probs, problem.Errorf(file, ref, confField,
				"sets %s to %q; it must be spec.metrics.port (%s)", ReporterPortKey, got, port))
		}
		if got, _ := confValue(confStr, ReporterFactoryKey); got != ReporterFactoryClass {
			probs = append(probs, problem.Errorf(file, ref, confField,
				"sets %s to %q; the platform's metrics need %s", ReporterFactoryKey, got, ReporterFactoryClass))
		}
	}
	if WebhookOn(vals) && !*ps.Components.CertManager.Enabled {
		probs = append(probs, problem.Errorf(file, ref, field+".webhook.create",
			"the operator's webhook needs cert-manager for its certificate: enable spec.components.cert-manager or switch the webhook off"))
	}
	watched := map[string]bool{}
	if list, ok, _ := unstructured.NestedFieldNoCopy(vals, "watchNamespaces"); ok {
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
