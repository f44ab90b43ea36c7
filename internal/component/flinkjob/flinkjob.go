// Package flinkjob renders one FlinkDeployment per job through a Helm chart,
// the way the reference platform wrapped its FlinkDeployment: krm-flink
// computes the values (docs/job-chart.md is the contract) and the chart shapes
// the object. The built-in chart lives in catalog/charts/flink-job.
package flinkjob

import (
	"fmt"
	"runtime"
	"strconv"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/component/nodepool"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/parallel"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Name is the component's name and output folder.
const Name = "jobs"

// Prometheus reporter settings every job gets in its flinkConfiguration.
const (
	ReporterFactoryKey   = "metrics.reporter.prom.factory.class"
	ReporterPortKey      = "metrics.reporter.prom.port"
	ReporterFactoryClass = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"
	MainContainer        = "flink-main-container"
)

// Renderer renders FlinkDeployments with a loaded job chart.
type Renderer struct {
	chart *chart.Chart
}

var _ component.Renderer = (*Renderer)(nil)

// New returns a renderer for a job chart loaded once per run.
func New(c *chart.Chart) *Renderer { return &Renderer{chart: c} }

// Name implements component.Renderer.
func (*Renderer) Name() string { return Name }

// Render implements component.Renderer. Jobs render in parallel, up to
// GOMAXPROCS at a time when the chart allows it (chart.Concurrent); the
// objects keep the jobs' order and the first failing job's error is
// returned, as a one-by-one render would.
func (r *Renderer) Render(p *resolve.Plan) ([]*manifest.Object, error) {
	kubeVersion, err := api.ParseKubeVersion(p.Platform.Spec.KubernetesVersion)
	if err != nil {
		return nil, err
	}
	objs := make([][]*manifest.Object, len(p.Jobs))
	errs := make([]error, len(p.Jobs))
	workers := runtime.GOMAXPROCS(0)
	if !chart.Concurrent(r.chart) {
		workers = 1
	}
	parallel.ForEach(len(p.Jobs), workers,
		func(i int) { objs[i], errs[i] = r.renderJob(p, p.Jobs[i], kubeVersion) },
		func(i int) bool { return errs[i] != nil })
	var out []*manifest.Object
	for i := range p.Jobs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out = append(out, objs[i]...)
	}
	return out, checkPodSecurity(p, out)
}

// renderJob renders one job's objects through the job chart.
func (r *Renderer) renderJob(p *resolve.Plan, j *resolve.Job, kubeVersion string) ([]*manifest.Object, error) {
	vals, err := Values(p, j)
	if err != nil {
		return nil, err
	}
	res, err := chart.Render(r.chart, vals, chart.Options{
		ReleaseName: j.Metadata.Name,
		Namespace:   j.Metadata.Namespace,
		KubeVersion: kubeVersion,
		APIVersions: p.Platform.Spec.APIVersions,
	})
	if err != nil {
		return nil, chartProblem(p, j, err)
	}
	var out []*manifest.Object
	for _, doc := range res.Manifests {
		objs, err := doc.Objects(Name)
		if err != nil {
			return nil, chartProblem(p, j, fmt.Errorf("chart %s, %s: %w", r.chart.Name(), doc.Source, err))
		}
		for _, o := range objs {
			if o.GetNamespace() == "" {
				o.SetNamespace(j.Metadata.Namespace)
			}
		}
		out = append(out, objs...)
	}
	return out, nil
}

// Values computes the job chart's values for one job: the documented contract
// a platform's own job chart receives too.
func Values(p *resolve.Plan, j *resolve.Job) (map[string]any, error) {
	s := &j.Spec.JobFields
	ps := &p.Platform.Spec
	name := j.Metadata.Name
	port := int64(ps.Metrics.Port)

	conf := map[string]any{}
	for k, v := range s.FlinkConfiguration {
		conf[k] = v
	}
	conf[ReporterFactoryKey] = ReporterFactoryClass
	conf[ReporterPortKey] = strconv.FormatInt(port, 10)
	if s.TaskSlots != nil {
		conf["taskmanager.numberOfTaskSlots"] = strconv.Itoa(int(*s.TaskSlots))
	}
	if a := s.Autoscaler; a != nil && a.Enabled {
		conf["job.autoscaler.enabled"] = "true"
		for k, v := range a.Settings {
			conf["job.autoscaler."+k] = v
		}
	}

	tags := map[string]any{}
	for _, extra := range []map[string]string{ps.Metrics.Datadog.Tags, p.Env.Tags} {
		for k, v := range extra {
			tags[k] = v
		}
	}
	for k, v := range map[string]string{
		"env": p.Env.ShortName, "region": ps.Region, "app": name,
		"owner": s.Owner, "repo": s.Repo, "job_name": name,
	} {
		tags[k] = v
	}

	sched := nodepool.SchedulingFor(ps, j.Metadata.Namespace, name)
	vals := map[string]any{
		"name": name,
		"environment": map[string]any{
			"name": p.Env.Name, "shortName": p.Env.ShortName, "region": ps.Region, "clusterName": ps.ClusterName,
		},
		"owner":              s.Owner,
		"repo":               s.Repo,
		"labels":             Labels(p, j),
		"image":              s.Image,
		"imagePullPolicy":    s.ImagePullPolicy,
		"flinkVersion":       s.FlinkVersion,
		"serviceAccount":     s.ServiceAccount,
		"flinkConfiguration": conf,
		"jobManager":         process(s.JobManager),
		"taskManager":        process(s.TaskManager),
		"job":                jobValues(s),
		"metrics":            map[string]any{"port": port},
		"datadog": map[string]any{
			"enabled":         *ps.Metrics.Datadog.Enabled,
			"container":       MainContainer,
			"tags":            tags,
			"metrics":         toAny(dedupe(append(append([]string(nil), ps.Metrics.Datadog.Metrics...), s.Metrics...))),
			"tolerateUnready": *ps.Metrics.Datadog.TolerateUnready,
		},
		"reloader": map[string]any{"configMap": "flink-config-" + name},
		"scheduling": map[string]any{
			"nodeSelector": orEmptyMap(sched.NodeSelector),
			"tolerations":  orEmptyList(sched.Tolerations),
		},
		"podSecurity":     podSecurityLevel(s),
		"securityContext": SecurityContext(podSecurityLevel(s)),
	}
	return vals, nil
}

// Labels are the recommended labels of a job's objects.
func Labels(p *resolve.Plan, j *resolve.Job) map[string]any {
	return map[string]any{
		"app.kubernetes.io/name":     j.Metadata.Name,
		"app.kubernetes.io/instance": j.Metadata.Name,
		"app.kubernetes.io/part-of":  "flink",
		"krm-flink.io/environment":   p.Env.Name,
		"krm-flink.io/owner":         j.Spec.Owner,
	}
}

// podSecurityLevel is the job's Pod Security Standard level, restricted
// unless the job explicitly opted out.
func podSecurityLevel(s *api.JobFields) string {
	if s.PodSecurity == "" {
		return api.PodSecurityRestricted
	}
	return s.PodSecurity
}

// SecurityContext returns the pod and container security contexts of the
// Flink pods for a Pod Security Standard level. Restricted (the default)
// meets the "restricted" standard; baseline keeps only the RuntimeDefault
// seccomp profile (the image may run as root); privileged sets nothing.
// krm-flink never adds privileged settings itself.
func SecurityContext(level string) map[string]any {
	switch level {
	case api.PodSecurityBaseline:
		return map[string]any{
			"pod":       map[string]any{"seccompProfile": map[string]any{"type": "RuntimeDefault"}},
			"container": map[string]any{},
		}
	case api.PodSecurityPrivileged:
		return map[string]any{"pod": map[string]any{}, "container": map[string]any{}}
	}
	return restrictedSecurityContext()
}

// restrictedSecurityContext meets the "restricted" Pod Security Standard; the
// official Flink image runs as user flink, uid 9999.
func restrictedSecurityContext() map[string]any {
	return map[string]any{
		"pod": map[string]any{
			"runAsNonRoot":   true,
			"runAsUser":      int64(9999),
			"runAsGroup":     int64(9999),
			"fsGroup":        int64(9999),
			"seccompProfile": map[string]any{"type": "RuntimeDefault"},
		},
		"container": map[string]any{
			"allowPrivilegeEscalation": false,
			"runAsNonRoot":             true,
			"capabilities":             map[string]any{"drop": []any{"ALL"}},
			"seccompProfile":           map[string]any{"type": "RuntimeDefault"},
		},
	}
}

func process(p *api.ProcessSpec) map[string]any {
	res := map[string]any{"memory": p.Resource.Memory}
	if p.Resource.CPU != nil {
		res["cpu"] = *p.Resource.CPU
	}
	if p.Resource.EphemeralStorage != "" {
		res["ephemeralStorage"] = p.Resource.EphemeralStorage
	}
	out := map[string]any{"resource": res}
	if p.Replicas != nil {
		out["replicas"] = int64(*p.Replicas)
	}
	return out
}

func jobValues(s *api.JobFields) map[string]any {
	out := map[string]any{
		"jarURI":      s.JarURI,
		"parallelism": int64(*s.Parallelism),
		"upgradeMode": s.UpgradeMode,
		"state":       s.State,
	}
	if s.EntryClass != "" {
		out["entryClass"] = s.EntryClass
	}
	if len(s.Args) > 0 {
		out["args"] = toAny(s.Args)
	}
	return out
}

func dedupe(vs []string) []string {
	seen := make(map[string]bool, len(vs))
	out := vs[:0]
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func toAny(vs []string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func orEmptyList(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}
