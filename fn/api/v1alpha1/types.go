// Package v1alpha1 holds krm-flink's input API: one FlinkPlatform (cluster-wide
// choices) and any number of FlinkJobSpecs (what one job needs). It knows how to
// default and validate them and imports neither Helm nor kustomize.
package v1alpha1

import "encoding/json"

const (
	// Group is the API group of krm-flink's input kinds.
	Group = "krm-flink.io"
	// Version is the API version of krm-flink's input kinds.
	Version = "v1alpha1"
	// APIVersion is Group/Version as it appears in manifests.
	APIVersion = Group + "/" + Version

	// KindPlatform is the kind of the one platform object.
	KindPlatform = "FlinkPlatform"
	// KindJob is the kind of a job object.
	KindJob = "FlinkJobSpec"

	// EnvironmentAnnotation on a FlinkPlatform used as a KRM functionConfig
	// selects the environment the function renders.
	EnvironmentAnnotation = Group + "/environment"

	// ChartsDirAnnotation on a FlinkPlatform used as a KRM functionConfig
	// names the vendored charts folder, relative to the function's working
	// directory; it takes precedence over spec.chartsDir.
	ChartsDirAnnotation = Group + "/charts-dir"

	// BaseDirAnnotation on a FlinkPlatform used as a KRM functionConfig
	// names the platform file's folder, relative to the function's working
	// directory, which the platform's relative paths then start from as in
	// the CLI. kpt says where the file is; kustomize does not (unless its
	// origin annotations are on), so a kustomize setup sets this.
	BaseDirAnnotation = Group + "/base-dir"

	// EnvironmentsAnnotation on an object of the user's own kind (a
	// ConfigMap, an ExternalSecret) in the input lists the environments
	// whose overlays it goes into, comma-separated; without it, all.
	EnvironmentsAnnotation = Group + "/environments"
)

// ObjectMeta is the subset of Kubernetes object metadata the input kinds use.
type ObjectMeta struct {
	// Name of the object; a FlinkJobSpec's is its FlinkDeployment's name,
	// [a-z]([-a-z0-9]{0,43}[a-z0-9])?, unique per namespace.
	// +required
	Name string `json:"name"`
	// Namespace of a FlinkJobSpec is the namespace its job runs in (a DNS
	// label; not a system namespace nor one of a component).
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// Labels of a FlinkJobSpec go onto its FlinkDeployment and pods, except
	// the keys krm-flink owns (see FlinkJobSpec below).
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
	// Annotations of a FlinkJobSpec go onto its FlinkDeployment, except
	// those describing the input file to kustomize and kpt.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// FlinkPlatform describes the cluster-wide choices of a Flink platform.
type FlinkPlatform struct {
	APIVersion string       `json:"apiVersion"`
	Kind       string       `json:"kind"`
	Metadata   ObjectMeta   `json:"metadata"`
	Spec       PlatformSpec `json:"spec"`
}

// PlatformSpec is the body of a FlinkPlatform.
type PlatformSpec struct {
	// ClusterName names the Kubernetes (EKS) cluster; Karpenter and Fluent Bit use it.
	// +required
	ClusterName string `json:"clusterName"`
	// Region is the AWS region of the cluster.
	// +required
	Region string `json:"region"`
	// KubernetesVersion is what charts see as .Capabilities.KubeVersion and
	// the Pod Security version of job namespaces. Default 1.35.0, a release
	// in EKS standard support.
	// +optional
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`
	// APIVersions are extra group/versions the cluster serves, visible to charts
	// as .Capabilities.APIVersions (e.g. monitoring.coreos.com/v1).
	// +optional
	APIVersions []string `json:"apiVersions,omitempty"`
	// Environments are the deployment targets; each renders into
	// overlays/<name>/ and is a cluster of its own: two environments may not
	// share a clusterName and region, nor an Argo CD server.
	// +required
	Environments []Environment `json:"environments"`
	// Flink holds the defaults every job starts from.
	// +optional
	Flink FlinkDefaults `json:"flink,omitempty"`
	// JobChart replaces the built-in job chart with a chart of the platform's own
	// that honours the same values contract (docs/job-chart.md).
	// +optional
	JobChart *ChartSource `json:"jobChart,omitempty"`
	// +optional
	Metrics Metrics `json:"metrics,omitempty"`
	// +optional
	RBAC RBAC `json:"rbac,omitempty"`
	// +optional
	Nodes Nodes `json:"nodes,omitempty"`
	// GitOps adds Flux Kustomizations or an Argo CD Application per environment.
	// +optional
	GitOps GitOps `json:"gitops,omitempty"`
	// Components are the third-party packages the platform installs.
	// +optional
	Components Components `json:"components,omitempty"`
	// ChartsDir is the folder, relative to the platform file, that holds the
	// charts `krm-flink charts pull` vendored and their charts.lock.yaml.
	// Rendering reads charts from it and verifies them against the lock.
	// +optional
	ChartsDir string `json:"chartsDir,omitempty"`
	// RequireDigests makes an image given by tag an error: spec.flink.image,
	// every job's image and every container image of the components' charts
	// must be pinned by digest (repo@sha256:<hex>).
	// `krm-flink render --require-digests` forces it for every environment.
	// +optional
	RequireDigests bool `json:"requireDigests,omitempty"`
	// Policy holds the state-safety rules for jobs (policy.go).
	// +optional
	Policy Policy `json:"policy,omitempty"`
}

// Environment is one deployment target (dev, staging, prod...).
type Environment struct {
	// Name is a DNS label; the environment renders into overlays/<name>/.
	// +required
	Name string `json:"name"`
	// ShortName is the env tag Datadog sees. Default: Name.
	// +optional
	ShortName string `json:"shortName,omitempty"`
	// Tags are extra Datadog tags for this environment's jobs.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
	// Overrides is a partial PlatformSpec merged over the platform for this
	// environment only (JSON merge patch, RFC 7386: maps merge, lists replace;
	// the flink pod templates merge by strategic merge patch, containers,
	// volumes and env by name): region, flink defaults, components, nodes,
	// metrics...
	// +optional
	Overrides json.RawMessage `json:"overrides,omitempty"`
}

// FlinkDefaults are the Flink settings a job inherits unless it sets its own.
type FlinkDefaults struct {
	// The settings of the jobs' Flink clusters (see ClusterSettings).
	ClusterSettings `json:",inline"`
	// FlinkConfiguration every job starts from: strings, numbers, booleans
	// or nested mappings (see FlinkConfiguration).
	// +optional
	FlinkConfiguration FlinkConfiguration `json:"flinkConfiguration,omitempty"`
	// +optional
	JobManager *ProcessSpec `json:"jobManager,omitempty"`
	// +optional
	TaskManager *ProcessSpec `json:"taskManager,omitempty"`
	// TaskSlots sets taskmanager.numberOfTaskSlots.
	// +optional
	TaskSlots *int32 `json:"taskSlots,omitempty"`
	// PodTemplate every job's pods start from (see PodTemplate).
	// +optional
	PodTemplate *PodTemplate `json:"podTemplate,omitempty"`
	// Secrets every job and session cluster gets (see FlinkSecret), after
	// its own: an entry of the job replaces the platform's entry with the
	// same target (mountPath, env or configKey), whatever its Secret.
	// +optional
	Secrets []FlinkSecret `json:"secrets,omitempty"`
}

// ProcessSpec sizes a JobManager or TaskManager.
type ProcessSpec struct {
	// Replicas of the JobManager (default 1) or TaskManager.
	// +optional
	Replicas *int32 `json:"replicas,omitempty"`
	// Resource of each pod; a job needs cpu and memory, its own or the platform's.
	// +optional
	Resource *Resource `json:"resource,omitempty"`
	// PodTemplate of this role's pods only, merged by the operator over the
	// shared podTemplate (see PodTemplate).
	// +optional
	PodTemplate *PodTemplate `json:"podTemplate,omitempty"`
}

// Resource is the FlinkDeployment resource shape: CPU as a number of cores,
// memory in Flink ("2048m", "2g") or Kubernetes ("2Gi") notation.
type Resource struct {
	// CPU is a number of cores (0.5, not 500m).
	// +optional
	CPU *float64 `json:"cpu,omitempty"`
	// Memory, e.g. 2048m, 2g or 2Gi.
	// +optional
	Memory string `json:"memory,omitempty"`
	// EphemeralStorage, in the same notation as memory.
	// +optional
	EphemeralStorage string `json:"ephemeralStorage,omitempty"`
}

// Metrics configures the Prometheus reporter and Datadog autodiscovery.
type Metrics struct {
	// Port of the Prometheus reporter on every Flink pod and the operator. Default 9999.
	// +optional
	Port int32 `json:"port,omitempty"`
	// +optional
	Datadog Datadog `json:"datadog,omitempty"`
}

// Datadog configures the autodiscovery annotations on the Flink pods.
type Datadog struct {
	// Enabled defaults to true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// Metrics is the OpenMetrics include-list (regexes). Default
	// DefaultDatadogMetrics (fn/api/v1alpha1/defaults.go): Flink's job,
	// JobManager and TaskManager health metrics.
	// +optional
	Metrics []string `json:"metrics,omitempty"`
	// Tags are added to every job's ad.datadoghq.com/tags.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
	// TolerateUnready defaults to true.
	// +optional
	TolerateUnready *bool `json:"tolerateUnready,omitempty"`
	// Format of the autodiscovery annotations: v1 (default), the trio
	// check_names, init_configs and instances; or v2, the single
	// ad.datadoghq.com/<container>.checks annotation (Agent 7.36+).
	// +optional
	Format string `json:"format,omitempty"`
}

// RBACMode chooses how the job ClusterRole is bound.
type RBACMode string

const (
	// RBACRoleBinding binds the ClusterRole with a RoleBinding per job namespace (least privilege).
	RBACRoleBinding RBACMode = "RoleBinding"
	// RBACClusterRoleBinding binds it cluster-wide, as the reference platform did.
	RBACClusterRoleBinding RBACMode = "ClusterRoleBinding"
)

// RBAC configures the permissions the JobManager gets.
type RBAC struct {
	// Mode: RoleBinding (default) binds the job ClusterRole in each job
	// namespace (least privilege); ClusterRoleBinding binds it cluster-wide
	// for each job namespace's service accounts, as the reference platform did.
	// +optional
	Mode RBACMode `json:"mode,omitempty"`
	// ClusterRoleName defaults to "flink-job".
	// +optional
	ClusterRoleName string `json:"clusterRoleName,omitempty"`
}

// Nodes configures node provisioning.
type Nodes struct {
	// +optional
	Karpenter KarpenterNodes `json:"karpenter,omitempty"`
}

// KarpenterNodes configures the per-job NodePools and their EC2NodeClass.
type KarpenterNodes struct {
	// Enabled defaults to true: every job gets a NodePool of its own.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// APIVersion is v1 (default, Karpenter 1.x) or v1beta1 (Karpenter
	// 0.3x; then Karpenter defaults to 0.34.0).
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`
	// +optional
	NodeClass NodeClass `json:"nodeClass,omitempty"`
	// Defaults are the node needs every job starts from.
	// +optional
	Defaults NodeNeeds `json:"defaults,omitempty"`
}

// NodeClass is the EC2NodeClass the job NodePools reference.
type NodeClass struct {
	// Name defaults to "flink".
	// +optional
	Name string `json:"name,omitempty"`
	// AMIFamily (AL2, AL2023, Bottlerocket, Custom...). On v1 it must agree
	// with an amiSelectorTerms alias; on v1beta1 default AL2.
	// +optional
	AMIFamily string `json:"amiFamily,omitempty"`
	// AMISelectorTerms; v1 requires one. Default on v1: the alias of the
	// amiFamily's latest AMI (AL2 al2@latest, AL2023 or none al2023@latest,
	// Bottlerocket bottlerocket@latest); pin a version for production.
	// +optional
	AMISelectorTerms []SelectorTerm `json:"amiSelectorTerms,omitempty"`
	// Role is the IAM role of the nodes (or InstanceProfile).
	// +optional
	Role string `json:"role,omitempty"`
	// +optional
	InstanceProfile string `json:"instanceProfile,omitempty"`
	// Default: tag karpenter.sh/discovery=<clusterName>.
	// +optional
	SubnetSelectorTerms []SelectorTerm `json:"subnetSelectorTerms,omitempty"`
	// Default: tag karpenter.sh/discovery=<clusterName>.
	// +optional
	SecurityGroupSelectorTerms []SelectorTerm `json:"securityGroupSelectorTerms,omitempty"`
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
}

// SelectorTerm selects AWS resources by tags, id, name or (AMIs) alias.
type SelectorTerm struct {
	// Tags to match, key to value.
	// +optional
	Tags map[string]string `json:"tags,omitempty"`
	// ID of the resource (ami-..., subnet-..., sg-...).
	// +optional
	ID string `json:"id,omitempty"`
	// Name of the resource.
	// +optional
	Name string `json:"name,omitempty"`
	// Alias of an EKS-optimized AMI, family@version (al2023@v20240807); v1 only.
	// +optional
	Alias string `json:"alias,omitempty"`
	// Owner of the AMI (an account id, or amazon).
	// +optional
	Owner string `json:"owner,omitempty"`
}

// NodeNeeds are what a job asks of its machines.
type NodeNeeds struct {
	// InstanceTypes the pool may launch, e.g. m6i.2xlarge.
	// +optional
	InstanceTypes []string `json:"instanceTypes,omitempty"`
	// InstanceTypesMinValues is the least number of distinct instanceTypes
	// Karpenter must be able to choose from when it launches a node (its
	// minValues, 1-50, at most len(instanceTypes); Karpenter v1 only), so a
	// spot pool keeps enough choice.
	// +optional
	InstanceTypesMinValues *int32 `json:"instanceTypesMinValues,omitempty"`
	// InstanceFamilies the pool may launch, e.g. m6i.
	// +optional
	InstanceFamilies []string `json:"instanceFamilies,omitempty"`
	// InstanceFamiliesMinValues is the least number of distinct
	// instanceFamilies Karpenter must be able to choose from (its minValues,
	// 1-50, at most len(instanceFamilies); Karpenter v1 only).
	// +optional
	InstanceFamiliesMinValues *int32 `json:"instanceFamiliesMinValues,omitempty"`
	// CapacityTypes: spot, on-demand. Default on-demand.
	// +optional
	CapacityTypes []string `json:"capacityTypes,omitempty"`
	// Architectures: amd64, arm64. Default amd64.
	// +optional
	Architectures []string `json:"architectures,omitempty"`
	// Zones the pool may launch in, e.g. us-east-1a.
	// +optional
	Zones []string `json:"zones,omitempty"`
	// Requirements are further NodePool requirements, rendered after the
	// ones krm-flink derives from instanceTypes, instanceFamilies,
	// capacityTypes, architectures and zones (and kubernetes.io/os In linux),
	// e.g. {key: karpenter.k8s.aws/instance-generation, operator: Gt,
	// values: ["5"]}. A key krm-flink renders itself is an error: use its
	// field instead (kubernetes.io/arch, karpenter.sh/capacity-type and
	// kubernetes.io/os always; the instance family, instance type and zone
	// keys when those fields are set), and so is krm-flink.io/nodepool. A
	// job's list replaces the platform default's.
	// +optional
	Requirements []NodeRequirement `json:"requirements,omitempty"`
	// Limits cap the NodePool's total resources.
	// +optional
	Limits *NodeLimits `json:"limits,omitempty"`
	// ConsolidationPolicy: WhenEmpty or WhenUnderutilized (v1beta1) /
	// WhenEmptyOrUnderutilized (v1). Default WhenEmpty: a Flink job is disrupted
	// by every moved pod.
	// +optional
	ConsolidationPolicy string `json:"consolidationPolicy,omitempty"`
	// ConsolidateAfter, e.g. 30s. Required by v1; default 5m.
	// +optional
	ConsolidateAfter string `json:"consolidateAfter,omitempty"`
	// ExpireAfter, e.g. 720h or Never. Default 720h.
	// +optional
	ExpireAfter string `json:"expireAfter,omitempty"`
	// Budgets cap how many of the pool's nodes Karpenter disrupts at once,
	// optionally in a cron window. Default Karpenter's: 10% of the nodes.
	// +optional
	Budgets []DisruptionBudget `json:"budgets,omitempty"`
	// TerminationGracePeriod bounds how long Karpenter waits for a node's
	// pods to leave when it disrupts the node, e.g. 2h (Karpenter v1 only).
	// +optional
	TerminationGracePeriod string `json:"terminationGracePeriod,omitempty"`
	// Weight (1-100) of the pool among pools that fit a pod.
	// +optional
	Weight *int32 `json:"weight,omitempty"`
	// DoNotDisrupt annotates the Flink pods karpenter.sh/do-not-disrupt:
	// Karpenter then never consolidates or drifts their nodes away (expiry
	// still applies on v1 once terminationGracePeriod runs out).
	// +optional
	DoNotDisrupt *bool `json:"doNotDisrupt,omitempty"`
}

// NodeRequirement is a Karpenter NodePool requirement: a node label key,
// an operator and values, as a Kubernetes node selector requirement.
type NodeRequirement struct {
	// Key is a node label key, e.g. karpenter.k8s.aws/instance-generation.
	// +required
	Key string `json:"key"`
	// Operator is In, NotIn, Exists, DoesNotExist, Gt or Lt, or Gte or Lte
	// when the platform pins Karpenter 1.9.0 or later.
	// +required
	Operator string `json:"operator"`
	// Values: one or more for In and NotIn, none for Exists and
	// DoesNotExist, exactly one non-negative integer for Gt, Lt, Gte and Lte.
	// +optional
	Values []string `json:"values,omitempty"`
	// MinValues is the least number of distinct values of Key Karpenter
	// must be able to choose from when it launches a node (1-50; with In at
	// most len(values)). Karpenter v1 NodePools only: v1beta1 of Karpenter
	// 0.34 has no such field.
	// +optional
	MinValues *int32 `json:"minValues,omitempty"`
}

// DisruptionBudget is a Karpenter NodePool disruption budget.
type DisruptionBudget struct {
	// Nodes is a count or a percentage, e.g. "0", "1" or "10%".
	// +required
	Nodes string `json:"nodes"`
	// Schedule is a cron schedule (UTC) when the budget starts; with Duration.
	// +optional
	Schedule string `json:"schedule,omitempty"`
	// Duration of the budget from each Schedule time, e.g. 8h or 1h30m.
	// +optional
	Duration string `json:"duration,omitempty"`
	// Reasons the budget applies to: Underutilized, Empty, Drifted (v1 only).
	// +optional
	Reasons []string `json:"reasons,omitempty"`
}

// NodeLimits are Kubernetes quantities.
type NodeLimits struct {
	// CPU of all the pool's nodes together, e.g. 64; at least one pod's.
	// +optional
	CPU string `json:"cpu,omitempty"`
	// Memory of all the pool's nodes together, e.g. 256Gi; at least one pod's.
	// +optional
	Memory string `json:"memory,omitempty"`
}

// Components holds the third-party packages, keyed by their component
// names (docs/charts.md).
type Components struct {
	// +optional
	CertManager CertManager `json:"cert-manager,omitempty"`
	// +optional
	FlinkOperator FlinkOperator `json:"flink-operator,omitempty"`
	// +optional
	FluentBit FluentBit `json:"fluent-bit,omitempty"`
	// +optional
	Karpenter KarpenterComponent `json:"karpenter,omitempty"`
}

// Component is what every third-party component has in common.
type Component struct {
	// Enabled switches the component on. Default true: the reference platform
	// installs all four.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// Version pins the chart version. Default: a current release
	// (ComponentDefaults: cert-manager v1.21.2, flink-kubernetes-operator
	// 1.15.0, aws-for-fluent-bit 0.2.0, karpenter 1.14.1).
	// +optional
	Version string `json:"version,omitempty"`
	// Chart says where the chart comes from. Default: the built-in catalog,
	// whose charts are krm-flink fixtures standing in for the upstream ones.
	// +optional
	Chart *ChartSource `json:"chart,omitempty"`
	// Namespace the component is installed into. Defaults per component.
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// ReleaseName is the Helm release name the chart sees. Default: the chart's name.
	// +optional
	ReleaseName string `json:"releaseName,omitempty"`
	// Values are raw chart values merged last, over what krm-flink derives.
	// +optional
	Values map[string]any `json:"values,omitempty"`
	// Hooks says what becomes of the chart's hooks other than test hooks,
	// which are always dropped: Plain (default) keeps them as plain objects
	// without their helm.sh/hook annotations, Keep keeps the annotations (for
	// Argo CD, which runs Helm hooks as sync hooks), Drop drops them.
	// +optional
	Hooks HookPolicy `json:"hooks,omitempty"`
	// Drop removes rendered objects; a selector that matches nothing is an error.
	// +optional
	Drop []ObjectSelector `json:"drop,omitempty"`
}

// HookPolicy is what a component does with its chart's hooks.
type HookPolicy string

const (
	// HooksPlain keeps hooks as plain objects, hook annotations removed.
	HooksPlain HookPolicy = "Plain"
	// HooksKeep keeps hooks with their helm.sh/hook annotations.
	HooksKeep HookPolicy = "Keep"
	// HooksDrop drops every hook.
	HooksDrop HookPolicy = "Drop"
)

// ChartSource locates a Helm chart: a local directory or .tgz (Path), or a
// chart Name in an HTTP(S) repository, or an oci:// reference (Repo).
type ChartSource struct {
	// Path is a chart folder or packaged .tgz, relative to the platform file.
	// +optional
	Path string `json:"path,omitempty"`
	// Repo is an HTTP(S) chart repository URL (the folder of its index.yaml)
	// or the full oci:// reference of the chart, as `helm pull` takes it
	// (oci://public.ecr.aws/karpenter/karpenter).
	// +optional
	Repo string `json:"repo,omitempty"`
	// Name is the chart's name in an HTTP(S) repository. Default: the
	// component's upstream chart name. For oci:// it may only repeat the
	// reference's last path element.
	// +optional
	Name string `json:"name,omitempty"`
	// Version is the same as the component's version; give one or the other.
	// +optional
	Version string `json:"version,omitempty"`
	// Digest pins the packaged chart's content, "sha256:<hex>"; a chart with
	// another digest is an error.
	// +optional
	Digest string `json:"digest,omitempty"`
	// Verify checks the chart's provenance file (.prov) against Keyring.
	// +optional
	Verify bool `json:"verify,omitempty"`
	// Keyring is a GnuPG public keyring, relative to the platform file.
	// +optional
	Keyring string `json:"keyring,omitempty"`
	// PlainHTTP talks to an oci:// registry over HTTP instead of HTTPS.
	// +optional
	PlainHTTP bool `json:"plainHTTP,omitempty"`
}

// ObjectSelector matches rendered objects; empty fields match anything, and
// at least one field must be set.
type ObjectSelector struct {
	// APIVersion of the objects to drop, e.g. batch/v1.
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`
	// Kind of the objects to drop.
	// +optional
	Kind string `json:"kind,omitempty"`
	// Namespace of the objects to drop.
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// Name of the objects to drop.
	// +optional
	Name string `json:"name,omitempty"`
}

// CertManager installs cert-manager, which the operator's webhook needs.
type CertManager struct {
	Component `json:",inline"`
	// Manifest renders cert-manager from its static release manifest
	// (cert-manager.yaml, a local path or an https URL) instead of the chart,
	// as the reference platform installed it. Values and Chart do not apply.
	// +optional
	Manifest string `json:"manifest,omitempty"`
}

// FlinkOperator installs the Flink Kubernetes Operator.
type FlinkOperator struct {
	Component `json:",inline"`
	// Webhook defaults to true and then needs cert-manager.
	// +optional
	Webhook *bool `json:"webhook,omitempty"`
	// FlinkConfiguration are extra operator settings appended to the
	// operator's flink-conf.yaml, next to the Prometheus reporter krm-flink
	// configures from spec.metrics.port.
	// +optional
	FlinkConfiguration FlinkConfiguration `json:"flinkConfiguration,omitempty"`
}

// FluentBit ships container logs to CloudWatch Logs.
type FluentBit struct {
	Component `json:",inline"`
	// LogGroupName defaults to /aws/eks/<clusterName>/<environment>/containers.
	// +optional
	LogGroupName string `json:"logGroupName,omitempty"`
	// LogStreamPrefix defaults to the chart's.
	// +optional
	LogStreamPrefix string `json:"logStreamPrefix,omitempty"`
	// +optional
	LogRetentionDays int32 `json:"logRetentionDays,omitempty"`
	// Path is the tail input glob. Default /var/log/containers/*.log.
	// +optional
	Path string `json:"path,omitempty"`
	// ExcludePaths become the tail input's Exclude_Path.
	// +optional
	ExcludePaths []string `json:"excludePaths,omitempty"`
	// RoleArn is the IRSA role of the Fluent Bit service account.
	// +optional
	RoleArn string `json:"roleArn,omitempty"`
}

// KarpenterComponent installs the Karpenter controller.
type KarpenterComponent struct {
	Component `json:",inline"`
	// InterruptionQueue is the SQS queue of spot interruptions (settings.interruptionQueue).
	// +optional
	InterruptionQueue string `json:"interruptionQueue,omitempty"`
	// RoleArn is the IRSA role of the controller's service account.
	// +optional
	RoleArn string `json:"roleArn,omitempty"`
}

// FlinkJobSpec describes what one Flink job needs.
type FlinkJobSpec struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   ObjectMeta `json:"metadata"`
	Spec       JobSpec    `json:"spec"`
}

// JobSpec is the body of a FlinkJobSpec.
type JobSpec struct {
	JobFields `json:",inline"`
	// Where the job runs, and how differently (see PerEnvironment).
	PerEnvironment `json:",inline"`
}

// PerEnvironment says in which of the platform's environments a job or
// session job runs, and what it sets differently in each.
type PerEnvironment struct {
	// Environments maps an environment name to a partial spec (any of its
	// fields except environments and only) merged over the job's for that
	// environment (JSON merge patch, RFC 7386; pod templates merge by
	// strategic merge patch).
	// +optional
	Environments map[string]json.RawMessage `json:"environments,omitempty"`
	// Only restricts the job to these environments. Default: all.
	// +optional
	Only []string `json:"only,omitempty"`
}

// JobFields are the per-job settings an environment may override.
type JobFields struct {
	// Owner is the team that owns the job (Datadog tag owner).
	// +required
	Owner string `json:"owner,omitempty"`
	// Repo is the source repository (Datadog tag repo).
	// +optional
	Repo string `json:"repo,omitempty"`
	// Its Flink cluster's settings (see ClusterSettings).
	ClusterSettings `json:",inline"`
	// The nonces and the savepoint the job starts from, as a session job's.
	JobActions `json:",inline"`
	JobRestore `json:",inline"`
	// AutoscalerResetNonce: change it to reset the autoscaler's state
	// (spec.job.autoscalerResetNonce; operator 1.11+).
	// +optional
	AutoscalerResetNonce *int64 `json:"autoscalerResetNonce,omitempty"`
	// What the job runs and how, as a session job's.
	JobRun `json:",inline"`
	// +optional
	Autoscaler *Autoscaler `json:"autoscaler,omitempty"`
	// JobManager is merged over the platform's.
	// +optional
	JobManager *ProcessSpec `json:"jobManager,omitempty"`
	// TaskManager is merged over the platform's.
	// +optional
	TaskManager *ProcessSpec `json:"taskManager,omitempty"`
	// TaskSlots overrides the platform's.
	// +optional
	TaskSlots *int32 `json:"taskSlots,omitempty"`
	// FlinkConfiguration is merged over the platform's, key by key: strings,
	// numbers, booleans or nested mappings (see FlinkConfiguration).
	// +optional
	FlinkConfiguration FlinkConfiguration `json:"flinkConfiguration,omitempty"`
	// Metrics are extra include-list regexes for Datadog.
	// +optional
	Metrics []string `json:"metrics,omitempty"`
	// Nodes are merged over the platform's node defaults.
	// +optional
	Nodes *NodeNeeds `json:"nodes,omitempty"`
	// PodSecurity is the Pod Security Standard the job's Flink pods are
	// rendered for: restricted (default: non-root, no privilege escalation,
	// every capability dropped, RuntimeDefault seccomp), or, as an explicit
	// opt-out for images that need it, baseline or privileged. An opt-out is
	// visible: the FlinkDeployment is annotated krm-flink.io/pod-security and
	// every render warns.
	// +optional
	PodSecurity string `json:"podSecurity,omitempty"`
	// Snapshots are FlinkStateSnapshot objects of this job (operator 1.10+).
	// +optional
	Snapshots []Snapshot `json:"snapshots,omitempty"`
	// BlueGreen, when present, renders the job as a FlinkBlueGreenDeployment
	// (operator 1.14+) instead of a FlinkDeployment.
	// +optional
	BlueGreen *BlueGreen `json:"blueGreen,omitempty"`
	// PodTemplate of the JobManager and TaskManager pods (see PodTemplate).
	// +optional
	PodTemplate *PodTemplate `json:"podTemplate,omitempty"`
	// Secrets Flink reads through its configuration (see FlinkSecret).
	// +optional
	Secrets []FlinkSecret `json:"secrets,omitempty"`
}

// Autoscaler switches on the operator's job autoscaler.
type Autoscaler struct {
	// Enabled sets job.autoscaler.enabled.
	// +optional
	Enabled bool `json:"enabled,omitempty"`
	// Settings are job.autoscaler.* keys without the prefix, e.g.
	// target.utilization: "0.6".
	// +optional
	Settings map[string]string `json:"settings,omitempty"`
}
