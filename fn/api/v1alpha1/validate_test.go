package v1alpha1

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

func validPlatform() *FlinkPlatform {
	return &FlinkPlatform{
		APIVersion: APIVersion,
		Kind:       KindPlatform,
		Metadata:   ObjectMeta{Name: "p"},
		Spec: PlatformSpec{
			ClusterName:  "c1",
			Region:       "us-east-1",
			Environments: []Environment{{Name: "dev"}, {Name: "prod"}},
			Flink: FlinkDefaults{
				ClusterSettings: ClusterSettings{Image: "flink:1.18", FlinkVersion: "v1_18"},
				JobManager:      &ProcessSpec{Resource: &Resource{CPU: ptr(1.0), Memory: "2048m"}},
				TaskManager:     &ProcessSpec{Resource: &Resource{CPU: ptr(1.0), Memory: "2g"}},
			},
			Nodes: Nodes{Karpenter: KarpenterNodes{NodeClass: NodeClass{Role: "node-role"}}},
		},
	}
}

func validJob() *FlinkJobSpec {
	return &FlinkJobSpec{
		APIVersion: APIVersion,
		Kind:       KindJob,
		Metadata:   ObjectMeta{Name: "orders", Namespace: "team-a"},
		Spec:       JobSpec{JobFields: JobFields{Owner: "team-a", JobRun: JobRun{JarURI: "local:///opt/flink/usrlib/job.jar"}}},
	}
}

// paths lists "Type path" of every error, e.g. "FieldValueRequired spec.region".
func paths(errs field.ErrorList) []string {
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, string(e.Type)+" "+e.Field)
	}
	return out
}

func TestPlatformDefaults(t *testing.T) {
	p := validPlatform()
	p.Default()
	s := p.Spec
	checks := map[string]bool{
		"kubernetesVersion":   s.KubernetesVersion == DefaultKubernetesVersion,
		"shortName":           s.Environments[0].ShortName == "dev",
		"serviceAccount":      s.Flink.ServiceAccount.Name == DefaultServiceAccount,
		"metrics.port":        s.Metrics.Port == DefaultMetricsPort,
		"datadog.enabled":     *s.Metrics.Datadog.Enabled,
		"datadog.metrics":     len(s.Metrics.Datadog.Metrics) == len(DefaultDatadogMetrics),
		"rbac.mode":           s.RBAC.Mode == RBACRoleBinding,
		"karpenter.api":       s.Nodes.Karpenter.APIVersion == KarpenterV1,
		"amiSelectorTerms":    s.Nodes.Karpenter.NodeClass.AMISelectorTerms[0].Alias == DefaultAMIAlias,
		"subnet discovery":    s.Nodes.Karpenter.NodeClass.SubnetSelectorTerms[0].Tags["karpenter.sh/discovery"] == "c1",
		"capacity on-demand":  s.Nodes.Karpenter.Defaults.CapacityTypes[0] == "on-demand",
		"consolidation":       s.Nodes.Karpenter.Defaults.ConsolidationPolicy == "WhenEmpty",
		"consolidateAfter":    s.Nodes.Karpenter.Defaults.ConsolidateAfter == DefaultConsolidateAfter,
		"expireAfter":         s.Nodes.Karpenter.Defaults.ExpireAfter == DefaultExpireAfter,
		"cluster role name":   s.RBAC.ClusterRoleName == DefaultClusterRoleName,
		"tolerate unready on": *s.Metrics.Datadog.TolerateUnready,
	}
	for name, ok := range checks {
		if !ok {
			t.Errorf("default %s not applied", name)
		}
	}
	before := *p
	p.Default()
	if p.Spec.KubernetesVersion != before.Spec.KubernetesVersion || len(p.Spec.Metrics.Datadog.Metrics) != len(DefaultDatadogMetrics) {
		t.Error("Default is not idempotent")
	}
}

func TestKarpenterV1Defaults(t *testing.T) {
	p := validPlatform()
	p.Spec.Nodes.Karpenter.APIVersion = KarpenterV1
	p.Default()
	nc := p.Spec.Nodes.Karpenter.NodeClass
	if nc.AMIFamily != "" || len(nc.AMISelectorTerms) != 1 || nc.AMISelectorTerms[0].Alias != DefaultAMIAlias {
		t.Errorf("v1 node class defaults: %+v", nc)
	}
	if errs := p.Validate(); len(errs) != 0 {
		t.Errorf("valid v1 platform rejected: %v", errs)
	}
}

func TestPlatformValidate(t *testing.T) {
	cases := map[string]struct {
		mutate func(*FlinkPlatform)
		want   []string
	}{
		"valid":               {func(*FlinkPlatform) {}, nil},
		"wrong apiVersion":    {func(p *FlinkPlatform) { p.APIVersion = "v1" }, []string{"FieldValueNotSupported apiVersion"}},
		"missing name":        {func(p *FlinkPlatform) { p.Metadata.Name = "" }, []string{"FieldValueRequired metadata.name"}},
		"missing cluster":     {func(p *FlinkPlatform) { p.Spec.ClusterName = "" }, []string{"FieldValueRequired spec.clusterName"}},
		"missing region":      {func(p *FlinkPlatform) { p.Spec.Region = "" }, []string{"FieldValueRequired spec.region"}},
		"bad kube version":    {func(p *FlinkPlatform) { p.Spec.KubernetesVersion = "latest" }, []string{"FieldValueInvalid spec.kubernetesVersion"}},
		"no environments":     {func(p *FlinkPlatform) { p.Spec.Environments = nil }, []string{"FieldValueRequired spec.environments"}},
		"duplicate env":       {func(p *FlinkPlatform) { p.Spec.Environments[1].Name = "dev" }, []string{"FieldValueDuplicate spec.environments[1].name"}},
		"env not a DNS label": {func(p *FlinkPlatform) { p.Spec.Environments[0].Name = "Dev_1" }, []string{"FieldValueInvalid spec.environments[0].name"}},
		"port out of range":   {func(p *FlinkPlatform) { p.Spec.Metrics.Port = 70000 }, []string{"FieldValueInvalid spec.metrics.port"}},
		"rbac mode":           {func(p *FlinkPlatform) { p.Spec.RBAC.Mode = "Admin" }, []string{"FieldValueNotSupported spec.rbac.mode"}},
		"karpenter api":       {func(p *FlinkPlatform) { p.Spec.Nodes.Karpenter.APIVersion = "v1alpha5" }, []string{"FieldValueNotSupported spec.nodes.karpenter.apiVersion"}},
		"no node identity":    {func(p *FlinkPlatform) { p.Spec.Nodes.Karpenter.NodeClass.Role = "" }, []string{"FieldValueRequired spec.nodes.karpenter.nodeClass.role"}},
		"bad capacity type":   {func(p *FlinkPlatform) { p.Spec.Nodes.Karpenter.Defaults.CapacityTypes = []string{"cheap"} }, []string{"FieldValueNotSupported spec.nodes.karpenter.defaults.capacityTypes[0]"}},
		"bad duration":        {func(p *FlinkPlatform) { p.Spec.Nodes.Karpenter.Defaults.ExpireAfter = "30 days" }, []string{"FieldValueInvalid spec.nodes.karpenter.defaults.expireAfter"}},
		"bad limit":           {func(p *FlinkPlatform) { p.Spec.Nodes.Karpenter.Defaults.Limits = &NodeLimits{CPU: "lots"} }, []string{"FieldValueInvalid spec.nodes.karpenter.defaults.limits.cpu"}},
		"v1 policy on v1beta1": {func(p *FlinkPlatform) {
			p.Spec.Nodes.Karpenter.APIVersion = KarpenterV1beta1
			p.Spec.Nodes.Karpenter.Defaults.ConsolidationPolicy = "WhenEmptyOrUnderutilized"
		}, []string{"FieldValueNotSupported spec.nodes.karpenter.defaults.consolidationPolicy"}},
		"bad default memory": {func(p *FlinkPlatform) { p.Spec.Flink.JobManager.Resource.Memory = "lots" }, []string{"FieldValueInvalid spec.flink.jobManager.resource.memory"}},
		"reserved flink key": {func(p *FlinkPlatform) {
			p.Spec.Flink.FlinkConfiguration = map[string]string{"kubernetes.namespace": "x"}
		}, []string{"FieldValueForbidden spec.flink.flinkConfiguration[kubernetes.namespace]"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := validPlatform()
			tc.mutate(p)
			p.Default()
			got := paths(p.Validate())
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestJobValidate(t *testing.T) {
	cases := map[string]struct {
		mutate   func(*FlinkJobSpec)
		operator string
		want     []string
	}{
		"valid":                 {func(*FlinkJobSpec) {}, "1.7.0", nil},
		"name too long":         {func(j *FlinkJobSpec) { j.Metadata.Name = strings.Repeat("a", 46) }, "1.7.0", []string{"FieldValueInvalid metadata.name"}},
		"name upper case":       {func(j *FlinkJobSpec) { j.Metadata.Name = "Orders" }, "1.7.0", []string{"FieldValueInvalid metadata.name"}},
		"no namespace":          {func(j *FlinkJobSpec) { j.Metadata.Namespace = "" }, "1.7.0", []string{"FieldValueRequired metadata.namespace"}},
		"namespace not a label": {func(j *FlinkJobSpec) { j.Metadata.Namespace = "team.a" }, "1.7.0", []string{"FieldValueInvalid metadata.namespace"}},
		"no owner":              {func(j *FlinkJobSpec) { j.Spec.Owner = "" }, "1.7.0", []string{"FieldValueRequired spec.owner"}},
		"no jar":                {func(j *FlinkJobSpec) { j.Spec.JarURI = "" }, "1.7.0", []string{"FieldValueRequired spec.jarURI"}},
		"parallelism zero":      {func(j *FlinkJobSpec) { j.Spec.Parallelism = ptr(int32(0)) }, "1.7.0", []string{"FieldValueInvalid spec.parallelism"}},
		"upgrade mode":          {func(j *FlinkJobSpec) { j.Spec.UpgradeMode = "rolling" }, "1.7.0", []string{"FieldValueNotSupported spec.upgradeMode"}},
		"state":                 {func(j *FlinkJobSpec) { j.Spec.State = "paused" }, "1.7.0", []string{"FieldValueNotSupported spec.state"}},
		"flink 2 on 1.7":        {func(j *FlinkJobSpec) { j.Spec.FlinkVersion = "v2_0" }, "1.7.0", []string{"FieldValueInvalid spec.flinkVersion"}},
		"flink 2 on 1.15":       {func(j *FlinkJobSpec) { j.Spec.FlinkVersion = "v2_0" }, "1.15.0", nil},
		"flink 1.14 too old":    {func(j *FlinkJobSpec) { j.Spec.FlinkVersion = "v1_14" }, "1.15.0", []string{"FieldValueInvalid spec.flinkVersion"}},
		"last-state without HA": {func(j *FlinkJobSpec) { j.Spec.UpgradeMode = "last-state" }, "1.7.0", []string{"FieldValueRequired spec.flinkConfiguration[high-availability.type]", "FieldValueRequired spec.flinkConfiguration[state.checkpoints.dir]"}},
		"savepoint without dir": {func(j *FlinkJobSpec) { j.Spec.UpgradeMode = "savepoint" }, "1.7.0", []string{"FieldValueRequired spec.flinkConfiguration[state.savepoints.dir]"}},
		"reserved key":          {func(j *FlinkJobSpec) { j.Spec.FlinkConfiguration = map[string]string{"kubernetes.cluster-id": "x"} }, "1.7.0", []string{"FieldValueForbidden spec.flinkConfiguration[kubernetes.cluster-id]"}},
		"tm memory invalid":     {func(j *FlinkJobSpec) { j.Spec.TaskManager = &ProcessSpec{Resource: &Resource{Memory: "two gigs"}} }, "1.7.0", []string{"FieldValueInvalid spec.taskManager.resource.memory"}},
		"cpu zero":              {func(j *FlinkJobSpec) { j.Spec.JobManager = &ProcessSpec{Resource: &Resource{CPU: ptr(0.0)}} }, "1.7.0", []string{"FieldValueInvalid spec.jobManager.resource.cpu"}},
		"limits below a pod":    {func(j *FlinkJobSpec) { j.Spec.Nodes = &NodeNeeds{Limits: &NodeLimits{CPU: "500m", Memory: "1Gi"}} }, "1.7.0", []string{"FieldValueInvalid spec.nodes.limits.cpu", "FieldValueInvalid spec.nodes.limits.memory"}},
		"autoscaler prefix": {func(j *FlinkJobSpec) {
			j.Spec.Autoscaler = &Autoscaler{Enabled: true, Settings: map[string]string{"job.autoscaler.x": "1"}}
		}, "1.7.0", []string{"FieldValueInvalid spec.autoscaler.settings[job.autoscaler.x]"}},
		"bad metric regex": {func(j *FlinkJobSpec) { j.Spec.Metrics = []string{"flink_(("} }, "1.7.0", []string{"FieldValueInvalid spec.metrics[0]"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := validPlatform()
			p.Default()
			j := validJob()
			tc.mutate(j)
			j.Default(&p.Spec)
			got := paths(j.Validate(JobContext{Platform: &p.Spec, OperatorVersion: tc.operator}))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestJobDefaultsInheritPlatform(t *testing.T) {
	p := validPlatform()
	p.Spec.Flink.FlinkConfiguration = map[string]string{"a": "platform", "b": "platform"}
	p.Spec.Flink.TaskSlots = ptr(int32(2))
	p.Default()
	j := validJob()
	j.Spec.FlinkConfiguration = map[string]string{"b": "job"}
	j.Spec.TaskManager = &ProcessSpec{Resource: &Resource{Memory: "4g"}}
	j.Default(&p.Spec)
	s := j.Spec
	if s.Image != "flink:1.18" || s.FlinkVersion != "v1_18" || s.ServiceAccount.Name != "flink" {
		t.Errorf("platform defaults not inherited: %+v", s)
	}
	if s.FlinkConfiguration["a"] != "platform" || s.FlinkConfiguration["b"] != "job" {
		t.Errorf("flinkConfiguration merge: %v", s.FlinkConfiguration)
	}
	if *s.TaskManager.Resource.CPU != 1 || s.TaskManager.Resource.Memory != "4g" {
		t.Errorf("taskManager merge: %+v", s.TaskManager.Resource)
	}
	if *s.JobManager.Replicas != 1 || *s.Parallelism != 1 || s.UpgradeMode != "stateless" || s.State != "running" || *s.TaskSlots != 2 {
		t.Errorf("job defaults: %+v", s)
	}
	if p.Spec.Flink.FlinkConfiguration["b"] != "platform" {
		t.Error("defaulting a job changed the platform")
	}
}

func TestParseMemory(t *testing.T) {
	cases := map[string]int64{
		"2048m": 2048 << 20, "2g": 2 << 30, "2 gb": 2 << 30, "1024": 1024, "2Gi": 2 << 30, "1536Mi": 1536 << 20, "1t": 1 << 40,
	}
	for in, want := range cases {
		got, err := ParseMemory(in)
		if err != nil || got != want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots", "-1g", "0", "0m", "99999999999999999999t"} {
		if _, err := ParseMemory(bad); err == nil {
			t.Errorf("ParseMemory(%q) accepted", bad)
		}
	}
}
