// Package bench generates synthetic krm-flink platforms of any size for the
// render benchmarks (bench_test.go, hack/bench.sh, docs/benchmarks.md): one
// FlinkPlatform with every component on and N FlinkJobSpecs spread over
// namespaces and environments, the same input as a kpt ResourceList for
// function mode, and, for the `helm template`-per-job baseline, every job's
// chart values exactly as krm-flink computes them.
//
// Generation is deterministic: the same Config always writes the same bytes.
package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	sigsyaml "sigs.k8s.io/yaml"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/component/flinkjob"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// Folders and files Generate writes under its output folder.
const (
	// PlatformDir holds platform.yaml and jobs/<namespace>/<job>.yaml: the
	// input of `krm-flink render -f`.
	PlatformDir = "platform"
	// ResourceListFile is the same input as one kpt ResourceList for
	// function mode: the platform as functionConfig, annotated with the
	// environment to render, the jobs as items.
	ResourceListFile = "resourcelist.yaml"
	// HelmDir holds, per environment, values/<namespace>/<job>.yaml and
	// jobs.txt ("release namespace values-file" per line) for the baseline.
	HelmDir = "helm"
	// KubeVersionFile in HelmDir/<env> is the --kube-version the job chart sees.
	KubeVersionFile = "kube-version"
	// JobsIndexFile in HelmDir/<env> lists the jobs of that environment.
	JobsIndexFile = "jobs.txt"
)

// Config says what to generate.
type Config struct {
	// Jobs is the number of FlinkJobSpecs.
	Jobs int
	// Envs is the number of environments (at least 1). The first, "prod",
	// is the one the ResourceList selects and every job runs in.
	Envs int
	// Namespaces the jobs are spread over; 0 means max(1, Jobs/10).
	Namespaces int
	// Seed makes the jobs; 0 means DefaultSeed.
	Seed uint64
	// NoComponents leaves spec.components out (their defaults apply)
	// instead of enabling all four explicitly.
	NoComponents bool
	// HelmValues also writes every job's chart values for the baseline.
	HelmValues bool
	// LargeCRDs is the large-CRD case (crds.go): the components' charts are
	// local copies of the fixtures with a synthetic CRD of about CRDSize
	// bytes each, and the environments are dev and prod (its own cluster,
	// c1-prod); Envs is ignored.
	LargeCRDs bool
}

// DefaultSeed is the seed the benchmarks use.
const DefaultSeed = 5

// Layout is where Generate put things.
type Layout struct {
	Dir          string
	Platform     string // folder: `krm-flink render -f <Platform>`
	ResourceList string // file: `krm-flink < <ResourceList>`
	Envs         []string
	// Env is the environment the ResourceList selects (the first).
	Env string
	// Namespaces is how many namespaces hold at least one job.
	Namespaces int
}

// EnvNames returns the names of n environments: prod first.
func EnvNames(n int) []string {
	base := []string{"prod", "staging", "dev", "qa", "perf"}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		if i < len(base) {
			out = append(out, base[i])
		} else {
			out = append(out, fmt.Sprintf("env-%d", i+1))
		}
	}
	return out
}

// Generate writes the platform, the jobs and the ResourceList (and with
// HelmValues the baseline's values) under dir, replacing what an earlier
// Generate wrote there.
func Generate(dir string, c Config) (*Layout, error) {
	if c.Jobs < 0 {
		return nil, fmt.Errorf("jobs must not be negative")
	}
	if c.Envs < 1 {
		c.Envs = 1
	}
	if c.Namespaces <= 0 {
		c.Namespaces = max(1, c.Jobs/10)
	}
	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	for _, sub := range []string{PlatformDir, ResourceListFile, HelmDir, ChartsDir} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return nil, err
		}
	}
	envs := EnvNames(c.Envs)
	if c.LargeCRDs {
		envs = largeCRDEnvs
	}
	l := &Layout{
		Dir:          dir,
		Platform:     filepath.Join(dir, PlatformDir),
		ResourceList: filepath.Join(dir, ResourceListFile),
		Envs:         envs,
		Env:          envs[0],
	}
	platform := Platform(envs, !c.NoComponents)
	if c.LargeCRDs {
		platform.Spec.Environments = []api.Environment{
			{Name: "dev", ShortName: "dev"},
			{Name: "prod", ShortName: "prod", Overrides: mustJSON(map[string]any{"clusterName": "c1-prod"})},
		}
		if err := writeLargeCRDCharts(dir, platform); err != nil {
			return nil, err
		}
	}
	jobs := Jobs(c.Jobs, c.Namespaces, envs, c.Seed)
	nss := map[string]bool{}
	for _, j := range jobs {
		nss[j.Metadata.Namespace] = true
	}
	l.Namespaces = len(nss)

	if err := writeYAML(filepath.Join(l.Platform, "platform.yaml"), platform); err != nil {
		return nil, err
	}
	var items []any
	for _, j := range jobs {
		rel := filepath.Join("jobs", j.Metadata.Namespace, j.Metadata.Name+".yaml")
		if err := writeYAML(filepath.Join(l.Platform, rel), j); err != nil {
			return nil, err
		}
		item, err := toMap(j)
		if err != nil {
			return nil, err
		}
		// What kpt adds to every item it hands a function.
		meta := item["metadata"].(map[string]any)
		ann, _ := meta["annotations"].(map[string]any)
		if ann == nil {
			ann = map[string]any{}
		}
		ann["config.kubernetes.io/path"] = filepath.ToSlash(rel)
		ann["internal.config.kubernetes.io/path"] = filepath.ToSlash(rel)
		ann["config.kubernetes.io/index"] = "0"
		ann["internal.config.kubernetes.io/index"] = "0"
		meta["annotations"] = ann
		items = append(items, item)
	}

	fnConfig, err := toMap(platform)
	if err != nil {
		return nil, err
	}
	fnConfig["metadata"].(map[string]any)["annotations"].(map[string]any)[api.EnvironmentAnnotation] = l.Env
	if items == nil {
		items = []any{}
	}
	rl := map[string]any{
		"apiVersion":     "config.kubernetes.io/v1",
		"kind":           "ResourceList",
		"functionConfig": fnConfig,
		"items":          items,
	}
	if err := writeYAML(l.ResourceList, rl); err != nil {
		return nil, err
	}
	if c.HelmValues {
		if err := writeHelmValues(l); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// Platform returns the benchmark platform: the reference platform of
// examples/platform with n environments, the later ones overriding the
// cluster, region and node capacity like a staging environment does.
func Platform(envs []string, components bool) *api.FlinkPlatform {
	p := &api.FlinkPlatform{
		APIVersion: api.APIVersion,
		Kind:       api.KindPlatform,
		Metadata: api.ObjectMeta{
			Name:        "bench",
			Annotations: map[string]string{"config.kubernetes.io/local-config": "true"},
		},
		Spec: api.PlatformSpec{
			ClusterName:       "flink-prod",
			Region:            "us-east-1",
			KubernetesVersion: "1.29.0",
			Flink: api.FlinkDefaults{
				ClusterSettings: api.ClusterSettings{
					Image:          "flink:1.18",
					FlinkVersion:   "v1_18",
					ServiceAccount: &api.ServiceAccountRef{Name: "flink"},
				},
				FlinkConfiguration: map[string]string{
					"taskmanager.numberOfTaskSlots": "2",
					"state.backend.type":            "rocksdb",
				},
				JobManager:  &api.ProcessSpec{Replicas: ptr(int32(1)), Resource: &api.Resource{CPU: ptr(1.0), Memory: "2048m"}},
				TaskManager: &api.ProcessSpec{Resource: &api.Resource{CPU: ptr(1.0), Memory: "2048m"}},
			},
			Metrics: api.Metrics{Port: 9999, Datadog: api.Datadog{Tags: map[string]string{"platform": "flink"}}},
			RBAC:    api.RBAC{Mode: api.RBACRoleBinding},
			Nodes: api.Nodes{Karpenter: api.KarpenterNodes{
				APIVersion: "v1beta1",
				NodeClass: api.NodeClass{
					Name: "flink", AMIFamily: "AL2", Role: "KarpenterNodeRole-flink",
					Tags: map[string]string{"team": "data-platform"},
				},
				Defaults: api.NodeNeeds{
					InstanceFamilies: []string{"m5", "m6i"},
					CapacityTypes:    []string{"on-demand"},
					Limits:           &api.NodeLimits{CPU: "64", Memory: "256Gi"},
				},
			}},
		},
	}
	for i, name := range envs {
		e := api.Environment{Name: name, ShortName: shortName(name)}
		if i > 0 {
			e.Overrides = mustJSON(map[string]any{
				"clusterName": "flink-" + name,
				"region":      []string{"us-west-2", "eu-west-1", "ap-southeast-2"}[(i-1)%3],
				"nodes": map[string]any{"karpenter": map[string]any{
					"defaults": map[string]any{"capacityTypes": []string{"spot", "on-demand"}},
				}},
				"components": map[string]any{"karpenter": map[string]any{
					"interruptionQueue": "flink-" + name + "-karpenter",
				}},
			})
		}
		p.Spec.Environments = append(p.Spec.Environments, e)
	}
	if components {
		on := func(version string) api.Component { return api.Component{Enabled: ptr(true), Version: version} }
		p.Spec.Components = api.Components{
			CertManager:   api.CertManager{Component: on("v1.8.2")},
			FlinkOperator: api.FlinkOperator{Component: on("1.7.0")},
			FluentBit: api.FluentBit{
				Component: api.Component{Enabled: ptr(true)},
				ExcludePaths: []string{
					"/var/log/containers/*spark*.log",
					"/var/log/containers/*datadog*.log",
				},
			},
			Karpenter: api.KarpenterComponent{
				Component:         on("0.34.0"),
				InterruptionQueue: "flink-prod-karpenter",
				RoleArn:           "arn:aws:iam::111122223333:role/KarpenterController",
			},
		}
	}
	return p
}

func shortName(env string) string {
	switch env {
	case "staging":
		return "stg"
	case "prod":
		return "prod"
	}
	return env
}

var (
	domains = []string{"orders", "payments", "clicks", "sessions", "fraud", "inventory", "search",
		"ads", "pricing", "shipping", "returns", "reviews", "loyalty", "billing", "telemetry", "alerts"}
	stages = []string{"enricher", "aggregator", "joiner", "sink", "etl", "dedup", "scorer", "router"}
	owners = []string{"commerce", "payments", "analytics", "growth", "risk", "logistics", "search", "platform"}
)

// Jobs returns n FlinkJobSpecs spread over namespaces and environments,
// varied the way a real platform's jobs vary: parallelism, resources,
// upgrade modes, autoscaling, node needs, per-environment overrides.
func Jobs(n, namespaces int, envs []string, seed uint64) []*api.FlinkJobSpec {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	jobs := make([]*api.FlinkJobSpec, 0, n)
	for i := 0; i < n; i++ {
		jobs = append(jobs, job(rng, i, namespaces, envs))
	}
	return jobs
}

func job(rng *rand.Rand, i, namespaces int, envs []string) *api.FlinkJobSpec {
	pick := func(vs []string) string { return vs[rng.IntN(len(vs))] }
	chance := func(p float64) bool { return rng.Float64() < p }

	nsIndex := rng.IntN(namespaces)
	ns := fmt.Sprintf("team-%03d", nsIndex)
	domain, stage := pick(domains), pick(stages)
	name := fmt.Sprintf("%s-%s-%05d", domain, stage, i)
	owner := owners[nsIndex%len(owners)]
	stateDir := fmt.Sprintf("s3://flink-state/%s/%s", ns, name)

	s := api.JobFields{
		Owner: owner,
		Repo:  "github.com/example/" + domain + "-" + stage,
		JobRun: api.JobRun{
			JarURI:      "local:///opt/flink/usrlib/" + domain + "-" + stage + ".jar",
			Parallelism: ptr([]int32{1, 1, 2, 2, 4, 4, 8, 16, 32, 64}[rng.IntN(10)]),
		},
		FlinkConfiguration: map[string]string{
			"state.checkpoints.dir":            stateDir + "/checkpoints",
			"execution.checkpointing.interval": pick([]string{"10s", "30s", "1m", "5m"}),
		},
	}
	if chance(0.6) {
		s.Image = fmt.Sprintf("111122223333.dkr.ecr.us-east-1.amazonaws.com/%s-%s:%d.%d.%d",
			domain, stage, 1+rng.IntN(4), rng.IntN(20), rng.IntN(10))
	}
	if chance(0.7) {
		s.EntryClass = fmt.Sprintf("com.example.%s.%s%s", domain, strings.ToUpper(stage[:1]), stage[1:])
	}
	if chance(0.3) {
		s.Args = []string{"--source", "kafka://" + domain, "--sink", "s3://lake/" + domain + "/" + stage}
	}
	switch r := rng.Float64(); {
	case r < 0.4:
		s.UpgradeMode = "stateless"
	case r < 0.8:
		s.UpgradeMode = "savepoint"
		s.FlinkConfiguration["state.savepoints.dir"] = stateDir + "/savepoints"
	default:
		s.UpgradeMode = "last-state"
		s.FlinkConfiguration["high-availability.type"] = "kubernetes"
		s.FlinkConfiguration["high-availability.storageDir"] = stateDir + "/ha"
	}
	if chance(0.05) {
		s.State = "suspended"
	}
	if chance(0.5) {
		s.FlinkConfiguration["pipeline.max-parallelism"] = fmt.Sprint(128 << rng.IntN(3))
	}
	if chance(0.2) {
		s.FlinkConfiguration["jobmanager.scheduler"] = "adaptive"
	}
	if chance(0.6) {
		cpu := []float64{0.5, 1, 2, 4}[rng.IntN(4)]
		tm := &api.ProcessSpec{Resource: &api.Resource{CPU: &cpu, Memory: pick([]string{"2048m", "4096m", "8g", "6Gi"})}}
		if chance(0.3) {
			tm.Replicas = ptr(int32(1 + rng.IntN(8)))
		}
		s.TaskManager = tm
	}
	if chance(0.3) {
		s.JobManager = &api.ProcessSpec{Resource: &api.Resource{CPU: ptr(1.0), Memory: pick([]string{"1024m", "2048m", "4g"})}}
	}
	if chance(0.3) {
		s.TaskSlots = ptr([]int32{1, 2, 4}[rng.IntN(3)])
	}
	if chance(0.15) {
		s.Autoscaler = &api.Autoscaler{Enabled: true, Settings: map[string]string{
			"stabilization.interval": "1m",
			"metrics.window":         "5m",
			"target.utilization":     pick([]string{"0.6", "0.7", "0.8"}),
		}}
	}
	if chance(0.2) {
		s.Metrics = []string{fmt.Sprintf("flink_taskmanager_job_task_operator_%s%s.*", strings.ToUpper(domain[:1]), domain[1:])}
	}
	if chance(0.6) {
		nodes := &api.NodeNeeds{}
		switch rng.IntN(3) {
		case 0:
			nodes.InstanceFamilies = []string{pick([]string{"c6i", "m6i", "r6i", "m7g"})}
			if nodes.InstanceFamilies[0] == "m7g" {
				nodes.Architectures = []string{"arm64"}
			}
		case 1:
			f := pick([]string{"m6i", "c6i", "r6i"})
			nodes.InstanceTypes = []string{f + ".xlarge", f + ".2xlarge"}
		default:
			nodes.CapacityTypes = []string{"spot", "on-demand"}
		}
		if chance(0.5) {
			nodes.Limits = &api.NodeLimits{CPU: fmt.Sprint(32 << rng.IntN(3)), Memory: fmt.Sprintf("%dGi", 128<<rng.IntN(3))}
		}
		s.Nodes = nodes
	}

	j := &api.FlinkJobSpec{
		APIVersion: api.APIVersion,
		Kind:       api.KindJob,
		Metadata: api.ObjectMeta{
			Name:        name,
			Namespace:   ns,
			Annotations: map[string]string{"config.kubernetes.io/local-config": "true"},
		},
		Spec: api.JobSpec{JobFields: s},
	}
	// Environments after the first: some jobs run in a subset only, some
	// run smaller or suspended there.
	if len(envs) > 1 {
		if chance(0.3) {
			only := []string{envs[0]}
			for _, e := range envs[1:] {
				if chance(0.5) {
					only = append(only, e)
				}
			}
			j.Spec.Only = only
		}
		for _, e := range envs[1:] {
			if !chance(0.4) {
				continue
			}
			o := map[string]any{"parallelism": 1}
			if chance(0.5) {
				o["taskManager"] = map[string]any{"resource": map[string]any{"cpu": 0.5, "memory": "2048m"}}
			}
			if chance(0.2) {
				o["state"] = "suspended"
			}
			if j.Spec.Environments == nil {
				j.Spec.Environments = map[string]json.RawMessage{}
			}
			j.Spec.Environments[e] = mustJSON(o)
		}
	}
	return j
}

// writeHelmValues resolves every environment's plan and writes each job's
// chart values, as flinkjob.Values computes them, for one `helm template`
// per job.
func writeHelmValues(l *Layout) error {
	var docs []*input.Document
	err := filepath.WalkDir(l.Platform, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		ds, probs := input.SplitDocuments(p, data)
		if probs.HasErrors() {
			return probs
		}
		docs = append(docs, ds...)
		return nil
	})
	if err != nil {
		return err
	}
	set, probs := input.Collect(docs, input.Options{})
	if probs.HasErrors() {
		return probs
	}
	for _, env := range l.Envs {
		p, probs := resolve.Resolve(set, env)
		if probs.HasErrors() {
			return fmt.Errorf("environment %s: %w", env, probs)
		}
		kv, err := api.ParseKubeVersion(p.Platform.Spec.KubernetesVersion)
		if err != nil {
			return err
		}
		envDir := filepath.Join(l.Dir, HelmDir, env)
		if err := writeFile(filepath.Join(envDir, KubeVersionFile), []byte(kv+"\n")); err != nil {
			return err
		}
		var index []string
		for _, j := range p.Jobs {
			vals, err := flinkjob.Values(p, j)
			if err != nil {
				return err
			}
			rel := filepath.Join("values", j.Metadata.Namespace, j.Metadata.Name+".yaml")
			if err := writeYAML(filepath.Join(envDir, rel), flinkjob.JobsValues([]any{vals})); err != nil {
				return err
			}
			index = append(index, fmt.Sprintf("%s %s %s", j.Metadata.Name, j.Metadata.Namespace, filepath.Join(envDir, rel)))
		}
		sort.Strings(index)
		body := strings.Join(index, "\n")
		if body != "" {
			body += "\n"
		}
		if err := writeFile(filepath.Join(envDir, JobsIndexFile), []byte(body)); err != nil {
			return err
		}
	}
	return nil
}

func writeYAML(path string, v any) error {
	data, err := sigsyaml.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return writeFile(path, data)
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }
