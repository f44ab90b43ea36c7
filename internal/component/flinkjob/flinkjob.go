// Package flinkjob renders one FlinkDeployment per job through a Helm chart,
// the way the reference platform wrapped its FlinkDeployment: krm-flink
// computes the values (docs/job-chart.md is the contract) and the chart shapes
// the object. The built-in chart lives in catalog/charts/flink-job.
package flinkjob

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/chart"
	"github.com/krm-flink/krm-flink/internal/component"
	"github.com/krm-flink/krm-flink/internal/component/nodepool"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/parallel"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Name is the component's name and output folder.
const Name = "jobs"

// Prometheus reporter settings every job gets in its flinkConfiguration.
const (
	ReporterFactoryKey   = "metrics.reporter.prom.factory.class"
	ReporterPortKey      = "metrics.reporter.prom.port"
	ReporterFactoryClass = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory"
	MainContainer        = api.MainContainer
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

// ReleaseName is the Helm release name the job chart is rendered with.
const ReleaseName = "flink-jobs"

// Render implements component.Renderer. The job chart renders once per
// namespace with the jobs of that namespace in its values (JobsValues),
// up to jobsPerRender at a time:
// Helm parses a chart's templates on every render, so one render per job
// would cost more than everything else krm-flink does. Namespaces render
// concurrently; objects come back in namespace order.
func (r *Renderer) Render(p *resolve.Plan) ([]*manifest.Object, error) {
	kubeVersion, err := api.ParseKubeVersion(p.Platform.Spec.KubernetesVersion)
	if err != nil {
		return nil, err
	}
	type rendered struct {
		objs     []*manifest.Object
		err      error
		security problem.List
	}
	results := parallel.Map(byNamespace(p.Jobs), func(jobs []*resolve.Job) rendered {
		objs, err := r.renderNamespace(p, jobs, kubeVersion)
		if err != nil {
			return rendered{err: err}
		}
		return rendered{objs: objs, security: checkPodSecurity(p, jobs, objs)}
	})
	var out []*manifest.Object
	var probs, securityProbs problem.List
	for _, r := range results {
		if r.err != nil {
			ps, ok := errors.AsType[problem.List](r.err)
			if !ok {
				return nil, r.err
			}
			probs = append(probs, ps...)
			continue
		}
		out = append(out, r.objs...)
		securityProbs = append(securityProbs, r.security...)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	out = append(blueGreen(p, out), sessionJobs(p)...)
	if len(securityProbs) > 0 {
		return out, securityProbs
	}
	return out, nil
}

// byNamespace groups jobs by namespace, namespaces sorted, jobs in order,
// in batches of at most jobsPerRender.
func byNamespace(jobs []*resolve.Job) [][]*resolve.Job {
	groups := map[string][]*resolve.Job{}
	for _, j := range jobs {
		groups[j.Metadata.Namespace] = append(groups[j.Metadata.Namespace], j)
	}
	var chunks [][]*resolve.Job
	for _, ns := range slices.Sorted(maps.Keys(groups)) {
		for b := range slices.Chunk(groups[ns], jobsPerRender) {
			chunks = append(chunks, b)
		}
	}
	return chunks
}

// jobsPerRender caps the jobs one chart render takes: enough to spread the
// fixed cost of a render (Helm parses the templates anew each time) thinly,
// few enough that a namespace of many jobs still keeps every core busy.
const jobsPerRender = 50

// renderNamespace renders jobs of one namespace in one chart render, after
// checking their pod templates against krm-flink's additions. When the
// render fails, each job renders alone so that every failing job is named.
func (r *Renderer) renderNamespace(p *resolve.Plan, jobs []*resolve.Job, kubeVersion string) ([]*manifest.Object, error) {
	vals := make([]any, len(jobs))
	var probs problem.List
	for i, j := range jobs {
		v, err := Values(p, j)
		if err != nil {
			return nil, err
		}
		vals[i] = v
		probs = append(probs, podTemplateProblems(p, j, v)...)
	}
	if len(probs) > 0 {
		return nil, probs
	}
	namespace := jobs[0].Metadata.Namespace
	objs, err := r.renderJobs(p, vals, namespace, kubeVersion)
	if err == nil || len(jobs) == 1 {
		if err != nil {
			return nil, problem.List{chartProblem(p, jobs[0], err)}
		}
		return objs, nil
	}
	for i, j := range jobs {
		if _, err := r.renderJobs(p, vals[i:i+1], namespace, kubeVersion); err != nil {
			probs = append(probs, chartProblem(p, j, err))
		}
	}
	if len(probs) == 0 {
		// Only the jobs together fail (e.g. a chart that renders one name
		// for all of them): the chart is to blame.
		probs = append(probs, chartProblem(p, nil, err))
	}
	return nil, probs
}

// renderJobs renders the values of jobs of one namespace through the job
// chart (Helm copies values before it changes them).
func (r *Renderer) renderJobs(p *resolve.Plan, vals []any, namespace, kubeVersion string) ([]*manifest.Object, error) {
	res, err := chart.Render(r.chart, JobsValues(vals), chart.Options{
		ReleaseName: ReleaseName,
		Namespace:   namespace,
		KubeVersion: kubeVersion,
		APIVersions: p.Platform.Spec.APIVersions,
	})
	if err != nil {
		return nil, err
	}
	var out []*manifest.Object
	for _, doc := range res.Manifests {
		objs, err := doc.Objects(Name)
		if err != nil {
			return nil, fmt.Errorf("chart %s, %s: %w", r.chart.Name(), doc.Source, err)
		}
		for _, o := range objs {
			if o.GetNamespace() == "" {
				o.SetNamespace(namespace)
			}
		}
		out = append(out, objs...)
	}
	return out, nil
}

// JobsValues are the job chart's values for one render: every job's values
// (see Values) under "jobs".
func JobsValues(jobs []any) map[string]any {
	return map[string]any{"jobs": jobs}
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
	if s.WebIdentityS3(&ps.Flink) {
		for k, v := range api.S3WebIdentityConfiguration() {
			conf[k] = v
		}
	}
	for k, v := range api.SecretsConfiguration(s.Secrets, s.FlinkConfiguration) {
		conf[k] = v
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
	if j.IsSession() {
		// Many jobs share a session cluster's pods: their metrics carry
		// the Prometheus reporter's own job_name label, which a pod tag
		// would shadow.
		delete(tags, "job_name")
		tags["session_cluster"] = name
	}

	sched := nodepool.SchedulingFor(ps, j.Metadata.Namespace, name)
	vals := map[string]any{
		"name":      name,
		"namespace": j.Metadata.Namespace,
		"environment": map[string]any{
			"name": p.Env.Name, "shortName": p.Env.ShortName, "region": ps.Region, "clusterName": ps.ClusterName,
		},
		"owner":              s.Owner,
		"repo":               s.Repo,
		"labels":             Labels(p, j),
		"annotations":        manifest.StringMap(api.PassedOnAnnotations(j.Metadata.Annotations)),
		"image":              s.Image,
		"imagePullPolicy":    s.ImagePullPolicy,
		"flinkVersion":       s.FlinkVersion,
		"serviceAccount":     s.ServiceAccount.Name,
		"flinkConfiguration": conf,
		"jobManager":         process(s.JobManager),
		"taskManager":        process(s.TaskManager),
		"metrics":            map[string]any{"port": port},
		"datadog": map[string]any{
			"enabled":         *ps.Metrics.Datadog.Enabled,
			"container":       MainContainer,
			"format":          ps.Metrics.Datadog.Format,
			"namespace":       api.DatadogNamespace,
			"tags":            tags,
			"metrics":         manifest.Strings(dedupe(append(append([]string(nil), ps.Metrics.Datadog.Metrics...), s.Metrics...))),
			"tolerateUnready": *ps.Metrics.Datadog.TolerateUnready,
		},
		"reloader": map[string]any{"configMap": "flink-config-" + name},
		"scheduling": map[string]any{
			"nodeSelector":   orEmptyMap(sched.NodeSelector),
			"tolerations":    orEmptyList(sched.Tolerations),
			"podAnnotations": nodepool.PodAnnotations(s.Nodes),
		},
		"podSecurity":     podSecurityLevel(s),
		"securityContext": SecurityContext(podSecurityLevel(s)),
	}
	addDeploymentFields(vals, s)
	if !j.IsSession() {
		vals["job"] = jobValues(s)
	}
	// The shared pod template: the job's (merged over the platform's and
	// under its environment's) with krm-flink's additions last; Render
	// refuses a template that clashes with them (podTemplateProblems).
	shared, err := api.PodTemplateMap(s.PodTemplate)
	if err != nil {
		return nil, err
	}
	if shared == nil {
		shared = map[string]any{}
	}
	overlay(shared, ownPodTemplate(vals), "")
	vals["podTemplate"] = shared
	for role, ps := range map[string]*api.ProcessSpec{"jobManager": s.JobManager, "taskManager": s.TaskManager} {
		t, err := api.PodTemplateMap(ps.PodTemplate)
		if err != nil {
			return nil, err
		}
		if t != nil {
			vals[role].(map[string]any)["podTemplate"] = t
		}
	}
	return vals, nil
}

// Labels are the labels of a job's FlinkDeployment and pods: the job's own
// metadata.labels, then the recommended labels. Validation refuses a job
// label krm-flink owns (api.OwnedLabels), so only app.kubernetes.io/part-of
// (default flink) is the job's to change.
func Labels(p *resolve.Plan, j *resolve.Job) map[string]any {
	return recommendedLabels(p, j.Metadata, j.Spec.Owner)
}

// recommendedLabels are an object's own metadata.labels, then the
// recommended labels of the Flink object named by meta.
func recommendedLabels(p *resolve.Plan, meta api.ObjectMeta, owner string) map[string]any {
	out := manifest.StringMap(meta.Labels)
	if _, ok := out["app.kubernetes.io/part-of"]; !ok {
		out["app.kubernetes.io/part-of"] = "flink"
	}
	for k, v := range map[string]string{
		"app.kubernetes.io/name":     meta.Name,
		"app.kubernetes.io/instance": meta.Name,
		"krm-flink.io/environment":   p.Env.Name,
		"krm-flink.io/owner":         owner,
	} {
		out[k] = v
	}
	return out
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
	return runValues(&s.JobRun, &s.JobRestore, s.JobNonces())
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
