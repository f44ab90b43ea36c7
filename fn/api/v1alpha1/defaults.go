package v1alpha1

// Defaults the platform falls back to; exported so docs and tests name one source.
// Versions are current supported releases (checked 2026-12); the example
// platform pins the reference platform's older ones.
const (
	// DefaultKubernetesVersion is a release in EKS standard support.
	DefaultKubernetesVersion = "1.35.0"
	DefaultMetricsPort       = 9999
	DefaultServiceAccount    = "flink"
	DefaultClusterRoleName   = "flink-job"
	DefaultNodeClassName     = "flink"
	// DefaultV1beta1AMIFamily is the AMI family of a v1beta1 EC2NodeClass
	// that names none: the one every v1beta1 Karpenter release's CRD accepts
	// (0.34's has no AL2023).
	DefaultV1beta1AMIFamily = "AL2"
	DefaultAMIAlias         = "al2023@latest"
	DefaultConsolidateAfter = "5m"
	DefaultExpireAfter      = "720h"
	DefaultUpgradeMode      = "stateless"
	DefaultJobState         = "running"

	KarpenterV1beta1 = "v1beta1"
	KarpenterV1      = "v1"

	DefaultFluentBitPath = "/var/log/containers/*.log"

	// Datadog autodiscovery annotation formats (spec.metrics.datadog.format).
	DatadogFormatV1 = "v1"
	DatadogFormatV2 = "v2"
	// DatadogNamespace prefixes every metric the OpenMetrics check sends
	// (its required namespace setting).
	DatadogNamespace = "flink"
	// DefaultKarpenterV1Version is the Karpenter pin of a platform that
	// pins no Karpenter version, unless it asks for v1beta1 NodePools.
	DefaultKarpenterV1Version = "1.14.1"
	// DefaultKarpenterV1beta1Version is the Karpenter pin of a platform whose
	// NodePools are karpenter.sh/v1beta1 (served by 0.32-0.37) and that
	// pins no Karpenter version.
	DefaultKarpenterV1beta1Version = "0.34.0"
)

// Component names: their keys under spec.components, their output folders.
const (
	ComponentCertManager   = "cert-manager"
	ComponentFlinkOperator = "flink-operator"
	ComponentFluentBit     = "fluent-bit"
	ComponentKarpenter     = "karpenter"
)

// ComponentDefault is what a component falls back to: a current release
// and the upstream chart's name.
type ComponentDefault struct {
	Chart     string
	Version   string
	Namespace string
}

// ComponentDefaults are the defaults of the four third-party components.
var ComponentDefaults = map[string]ComponentDefault{
	ComponentCertManager:   {Chart: "cert-manager", Version: "v1.21.2", Namespace: "cert-manager"},
	ComponentFlinkOperator: {Chart: "flink-kubernetes-operator", Version: "1.15.0", Namespace: "flink-operator"},
	ComponentFluentBit:     {Chart: "aws-for-fluent-bit", Version: "0.2.0", Namespace: "kube-system"},
	ComponentKarpenter:     {Chart: "karpenter", Version: DefaultKarpenterV1Version, Namespace: "karpenter"},
}

// DefaultDatadogMetrics is the OpenMetrics include-list of a platform that
// sets none: Flink's own health metrics, as the Prometheus reporter names
// them, that every job has: uptime, restarts and checkpoints of the job,
// the JobManager's view of its TaskManagers, TaskManager JVM load, memory
// and garbage collection, and task backpressure and throughput. Metrics of
// a job's own operators are added per job (spec.metrics) or per platform.
var DefaultDatadogMetrics = []string{
	"flink_jobmanager_job_uptime",
	"flink_jobmanager_job_downtime",
	"flink_jobmanager_job_numRestarts",
	"flink_jobmanager_job_lastCheckpointDuration",
	"flink_jobmanager_job_lastCheckpointSize",
	"flink_jobmanager_job_numberOfCompletedCheckpoints",
	"flink_jobmanager_job_numberOfFailedCheckpoints",
	"flink_jobmanager_numRegisteredTaskManagers",
	"flink_jobmanager_numRunningJobs",
	"flink_jobmanager_taskSlotsAvailable",
	"flink_jobmanager_taskSlotsTotal",
	"flink_jobmanager_Status_JVM_Memory_Heap_Used",
	"flink_taskmanager_Status_JVM_CPU_Load",
	"flink_taskmanager_Status_JVM_Memory_Heap_Used",
	"flink_taskmanager_Status_JVM_Memory_Heap_Max",
	"flink_taskmanager_Status_JVM_GarbageCollector_.*",
	"flink_taskmanager_job_task_backPressuredTimeMsPerSecond",
	"flink_taskmanager_job_task_busyTimeMsPerSecond",
	"flink_taskmanager_job_task_numRecordsInPerSecond",
	"flink_taskmanager_job_task_numRecordsOutPerSecond",
}

func ptr[T any](v T) *T { return &v }

// Default fills every unset platform field with its documented default.
// It is idempotent and must run after environment overrides are merged.
func (p *FlinkPlatform) Default() {
	s := &p.Spec
	if s.KubernetesVersion == "" {
		s.KubernetesVersion = DefaultKubernetesVersion
	}
	for i := range s.Environments {
		if s.Environments[i].ShortName == "" {
			s.Environments[i].ShortName = s.Environments[i].Name
		}
	}
	if s.Flink.ServiceAccount.unset() {
		s.Flink.ServiceAccount = &ServiceAccountRef{Name: DefaultServiceAccount}
	}
	if s.Metrics.Port == 0 {
		s.Metrics.Port = DefaultMetricsPort
	}
	dd := &s.Metrics.Datadog
	if dd.Enabled == nil {
		dd.Enabled = ptr(true)
	}
	if dd.TolerateUnready == nil {
		dd.TolerateUnready = ptr(true)
	}
	if dd.Format == "" {
		dd.Format = DatadogFormatV1
	}
	if len(dd.Metrics) == 0 {
		dd.Metrics = append([]string(nil), DefaultDatadogMetrics...)
	}
	if s.RBAC.Mode == "" {
		s.RBAC.Mode = RBACRoleBinding
	}
	if s.RBAC.ClusterRoleName == "" {
		s.RBAC.ClusterRoleName = DefaultClusterRoleName
	}
	k := &s.Components.Karpenter
	if k.Version == "" && (k.Chart == nil || k.Chart.Version == "") && s.Nodes.Karpenter.APIVersion == KarpenterV1beta1 {
		// The Karpenter pin follows the NodePool API the platform asks for.
		k.Version = DefaultKarpenterV1beta1Version
	}
	s.Components.defaults()
	if s.Nodes.Karpenter.APIVersion == "" && *s.Components.Karpenter.Enabled {
		// The NodePool API follows the Karpenter release the platform installs.
		if v, ok := KarpenterAPIVersion(s.Components.Karpenter.Version); ok {
			s.Nodes.Karpenter.APIVersion = v
		}
	}
	s.Nodes.Karpenter.defaultFor(s.ClusterName)
	s.GitOps.defaults()
}

// Each returns the four components by name, in name order, as pointers into c.
func (c *Components) Each() []NamedComponent {
	return []NamedComponent{
		{ComponentCertManager, &c.CertManager.Component},
		{ComponentFlinkOperator, &c.FlinkOperator.Component},
		{ComponentFluentBit, &c.FluentBit.Component},
		{ComponentKarpenter, &c.Karpenter.Component},
	}
}

// NamedComponent is a component and its name.
type NamedComponent struct {
	Name string
	*Component
}

func (c *Components) defaults() {
	for _, nc := range c.Each() {
		d := ComponentDefaults[nc.Name]
		if nc.Enabled == nil {
			nc.Enabled = ptr(true)
		}
		if nc.Version == "" && nc.Chart != nil {
			nc.Version = nc.Chart.Version
		}
		if nc.Version == "" {
			nc.Version = d.Version
		}
		if nc.Namespace == "" {
			nc.Namespace = d.Namespace
		}
		if nc.ReleaseName == "" {
			nc.ReleaseName = d.Chart
		}
		if nc.Hooks == "" {
			nc.Hooks = HooksPlain
		}
		if nc.Chart != nil && nc.Chart.Repo != "" && nc.Chart.Name == "" && !IsOCI(nc.Chart.Repo) {
			nc.Chart.Name = d.Chart
		}
	}
	if c.FlinkOperator.Webhook == nil {
		c.FlinkOperator.Webhook = ptr(true)
	}
	if c.FluentBit.Path == "" {
		c.FluentBit.Path = DefaultFluentBitPath
	}
}

// IsOCI tells whether a chart repository is an oci:// reference.
func IsOCI(repo string) bool {
	return len(repo) > len("oci://") && repo[:len("oci://")] == "oci://"
}

func (k *KarpenterNodes) defaultFor(clusterName string) {
	if k.Enabled == nil {
		k.Enabled = ptr(true)
	}
	if k.APIVersion == "" {
		k.APIVersion = KarpenterV1
	}
	nc := &k.NodeClass
	if nc.Name == "" {
		nc.Name = DefaultNodeClassName
	}
	if nc.AMIFamily == "" && k.APIVersion == KarpenterV1beta1 {
		nc.AMIFamily = DefaultV1beta1AMIFamily
	}
	if len(nc.AMISelectorTerms) == 0 && k.APIVersion == KarpenterV1 {
		// The alias follows the family: the v1 CRD refuses, say, amiFamily
		// AL2 with an al2023 alias.
		if alias := DefaultAMIAliasFor(nc.AMIFamily); alias != "" {
			nc.AMISelectorTerms = []SelectorTerm{{Alias: alias}}
		}
	}
	discovery := []SelectorTerm{{Tags: map[string]string{"karpenter.sh/discovery": clusterName}}}
	if len(nc.SubnetSelectorTerms) == 0 {
		nc.SubnetSelectorTerms = discovery
	}
	if len(nc.SecurityGroupSelectorTerms) == 0 {
		nc.SecurityGroupSelectorTerms = discovery
	}
	d := &k.Defaults
	if len(d.CapacityTypes) == 0 {
		d.CapacityTypes = []string{"on-demand"}
	}
	if len(d.Architectures) == 0 {
		d.Architectures = []string{"amd64"}
	}
	if d.ConsolidationPolicy == "" {
		d.ConsolidationPolicy = "WhenEmpty"
	}
	if d.ConsolidateAfter == "" {
		d.ConsolidateAfter = DefaultConsolidateAfter
	}
	if d.ExpireAfter == "" {
		d.ExpireAfter = DefaultExpireAfter
	}
}

// Default fills the job's unset fields from the platform's Flink and node
// defaults, then from krm-flink's own. Environment overrides must already be
// merged into j so they win over the platform.
func (j *FlinkJobSpec) Default(p *PlatformSpec) {
	s := &j.Spec.JobFields
	f := &p.Flink
	s.Image = firstNonEmpty(s.Image, f.Image)
	s.ImagePullPolicy = firstNonEmpty(s.ImagePullPolicy, f.ImagePullPolicy)
	s.FlinkVersion = firstNonEmpty(s.FlinkVersion, f.FlinkVersion)
	s.defaultJobFields(f)
	if s.TaskSlots == nil && f.TaskSlots != nil {
		s.TaskSlots = ptr(*f.TaskSlots)
	}
	s.FlinkConfiguration = mergeStrings(f.FlinkConfiguration, s.FlinkConfiguration)
	s.Secrets = MergeSecrets(f.Secrets, s.Secrets)
	s.JobManager = mergeProcess(f.JobManager, s.JobManager)
	s.TaskManager = mergeProcess(f.TaskManager, s.TaskManager)
	// A template that does not merge keeps the job's own; Validate reports it.
	if pt, err := MergePodTemplates(f.PodTemplate, s.PodTemplate); err == nil {
		s.PodTemplate = pt
	}
	if s.JobManager.Replicas == nil {
		s.JobManager.Replicas = ptr(int32(1))
	}
	if !j.IsSession() { // a session cluster has no job; Validate refuses its job fields
		s.defaultRun()
	}
	s.PodSecurity = firstNonEmpty(s.PodSecurity, PodSecurityRestricted)
	s.Nodes = mergeNodes(&p.Nodes.Karpenter.Defaults, s.Nodes)
	for i := range s.Snapshots {
		s.Snapshots[i].Type = firstNonEmpty(s.Snapshots[i].Type, SnapshotSavepoint)
	}
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// mergeStrings returns base overlaid with over, as a new map.
func mergeStrings(base, over map[string]string) map[string]string {
	if len(base) == 0 && len(over) == 0 {
		return nil
	}
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

func mergeProcess(base, over *ProcessSpec) *ProcessSpec {
	out := &ProcessSpec{Resource: &Resource{}}
	for _, src := range []*ProcessSpec{base, over} {
		if src == nil {
			continue
		}
		if src.Replicas != nil {
			out.Replicas = ptr(*src.Replicas)
		}
		if r := src.Resource; r != nil {
			if r.CPU != nil {
				out.Resource.CPU = ptr(*r.CPU)
			}
			out.Resource.Memory = firstNonEmpty(r.Memory, out.Resource.Memory)
			out.Resource.EphemeralStorage = firstNonEmpty(r.EphemeralStorage, out.Resource.EphemeralStorage)
		}
	}
	var basePT, overPT *PodTemplate
	if base != nil {
		basePT = base.PodTemplate
	}
	if over != nil {
		overPT = over.PodTemplate
	}
	out.PodTemplate = overPT
	if pt, err := MergePodTemplates(basePT, overPT); err == nil {
		out.PodTemplate = pt
	}
	return out
}

func mergeNodes(base, over *NodeNeeds) *NodeNeeds {
	out := *base
	if over == nil {
		return &out
	}
	pick := func(a, b []string) []string {
		if len(b) > 0 {
			return b
		}
		return a
	}
	out.InstanceTypes = pick(out.InstanceTypes, over.InstanceTypes)
	out.InstanceFamilies = pick(out.InstanceFamilies, over.InstanceFamilies)
	out.CapacityTypes = pick(out.CapacityTypes, over.CapacityTypes)
	out.Architectures = pick(out.Architectures, over.Architectures)
	out.Zones = pick(out.Zones, over.Zones)
	if over.InstanceTypesMinValues != nil {
		out.InstanceTypesMinValues = over.InstanceTypesMinValues
	}
	if over.InstanceFamiliesMinValues != nil {
		out.InstanceFamiliesMinValues = over.InstanceFamiliesMinValues
	}
	if len(over.Requirements) > 0 {
		out.Requirements = over.Requirements
	}
	if over.Limits != nil {
		l := NodeLimits{}
		if out.Limits != nil {
			l = *out.Limits
		}
		l.CPU = firstNonEmpty(over.Limits.CPU, l.CPU)
		l.Memory = firstNonEmpty(over.Limits.Memory, l.Memory)
		out.Limits = &l
	}
	out.ConsolidationPolicy = firstNonEmpty(over.ConsolidationPolicy, out.ConsolidationPolicy)
	out.ConsolidateAfter = firstNonEmpty(over.ConsolidateAfter, out.ConsolidateAfter)
	out.ExpireAfter = firstNonEmpty(over.ExpireAfter, out.ExpireAfter)
	if len(over.Budgets) > 0 {
		out.Budgets = over.Budgets
	}
	out.TerminationGracePeriod = firstNonEmpty(over.TerminationGracePeriod, out.TerminationGracePeriod)
	if over.Weight != nil {
		out.Weight = over.Weight
	}
	if over.DoNotDisrupt != nil {
		out.DoNotDisrupt = over.DoNotDisrupt
	}
	return &out
}
