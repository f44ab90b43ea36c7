package v1alpha1

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/krm-flink/krm-flink/internal/flinkcrd"
)

// flinkDeploymentName is the operator webhook's rule for FlinkDeployment names.
var flinkDeploymentName = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,43}[a-z0-9])?$`)

// karpenterDuration is Karpenter's pattern for consolidateAfter and expireAfter.
var karpenterDuration = regexp.MustCompile(`^(([0-9]+(s|m|h))+|Never)$`)

// reservedFlinkKeys are flinkConfiguration keys the operator owns and rejects.
var reservedFlinkKeys = []string{"kubernetes.namespace", "kubernetes.cluster-id", "high-availability.cluster-id"}

// Validate checks the platform on its own, after Default. It returns every
// problem, with paths rooted at the object.
func (p *FlinkPlatform) Validate() field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateTypeMeta(p.APIVersion, p.Kind, KindPlatform)...)
	meta := field.NewPath("metadata")
	if p.Metadata.Name == "" {
		errs = append(errs, field.Required(meta.Child("name"), ""))
	}
	s := &p.Spec
	spec := field.NewPath("spec")
	if s.ClusterName == "" {
		errs = append(errs, field.Required(spec.Child("clusterName"), "names the cluster Karpenter and Fluent Bit serve"))
	} else {
		errs = append(errs, dnsLabel(spec.Child("clusterName"), s.ClusterName)...)
	}
	if s.Region == "" {
		errs = append(errs, field.Required(spec.Child("region"), "the AWS region of the cluster"))
	}
	if _, err := ParseKubeVersion(s.KubernetesVersion); err != nil {
		errs = append(errs, field.Invalid(spec.Child("kubernetesVersion"), s.KubernetesVersion, err.Error()))
	}
	envs := spec.Child("environments")
	if len(s.Environments) == 0 {
		errs = append(errs, field.Required(envs, "at least one environment"))
	}
	seen := map[string]bool{}
	for i, e := range s.Environments {
		ep := envs.Index(i)
		if e.Name == "" {
			errs = append(errs, field.Required(ep.Child("name"), ""))
			continue
		}
		errs = append(errs, dnsLabel(ep.Child("name"), e.Name)...)
		if seen[e.Name] {
			errs = append(errs, field.Duplicate(ep.Child("name"), e.Name))
		}
		seen[e.Name] = true
	}
	errs = append(errs, validateFlinkDefaults(spec.Child("flink"), &s.Flink)...)
	if s.Metrics.Port < 1 || s.Metrics.Port > 65535 {
		errs = append(errs, field.Invalid(spec.Child("metrics", "port"), s.Metrics.Port, "must be a port number, 1-65535"))
	}
	errs = append(errs, oneOf(spec.Child("metrics", "datadog", "format"), []string{s.Metrics.Datadog.Format}, DatadogFormatV1, DatadogFormatV2)...)
	switch s.RBAC.Mode {
	case RBACRoleBinding, RBACClusterRoleBinding:
	default:
		errs = append(errs, field.NotSupported(spec.Child("rbac", "mode"), s.RBAC.Mode, []RBACMode{RBACRoleBinding, RBACClusterRoleBinding}))
	}
	errs = append(errs, dnsSubdomain(spec.Child("rbac", "clusterRoleName"), s.RBAC.ClusterRoleName)...)
	errs = append(errs, s.Nodes.Karpenter.validate(spec.Child("nodes", "karpenter"), s.Components.Karpenter.Version)...)
	errs = append(errs, s.GitOps.validate(spec.Child("gitops"))...)
	errs = append(errs, s.validateComponents(spec.Child("components"))...)
	errs = append(errs, s.validateSecurity(spec)...)
	errs = append(errs, s.Policy.Validate(spec.Child("policy"))...)
	errs = append(errs, validatePlatformSecrets(spec.Child("flink"), &s.Flink)...)
	if port, ok := s.Flink.FlinkConfiguration[PromReporterPortKey]; ok && port != strconv.Itoa(int(s.Metrics.Port)) {
		errs = append(errs, field.Invalid(spec.Child("flink", "flinkConfiguration").Key(PromReporterPortKey), port,
			fmt.Sprintf("must be spec.metrics.port (%d): Datadog and the operator scrape that port", s.Metrics.Port)))
	}
	return errs
}

// HighAvailability tells whether a job's flinkConfiguration switches on
// JobManager high availability (high-availability.type, or the older key
// high-availability, set to anything but NONE).
func (s *JobFields) HighAvailability() bool {
	for _, k := range []string{"high-availability.type", "high-availability"} {
		if v := s.FlinkConfiguration[k]; v != "" && !strings.EqualFold(v, "none") {
			return true
		}
	}
	return false
}

// PromReporterPortKey is the flinkConfiguration key of the Prometheus
// reporter's port on Flink pods; it must equal spec.metrics.port.
const PromReporterPortKey = "metrics.reporter.prom.port"

// KarpenterAPIVersion is the NodePool API version a Karpenter chart version
// serves: v1beta1 for 0.32-0.37, v1 for 1.x. ok is false when the version is
// not a plain version (a range) or has no NodePool API at all.
func KarpenterAPIVersion(chartVersion string) (apiVersion string, ok bool) {
	major, minor, ok := majorMinor(chartVersion)
	switch {
	case !ok:
		return "", false
	case major >= 1:
		return KarpenterV1, true
	case minor >= 32:
		return KarpenterV1beta1, true
	}
	return "", false
}

// KarpenterMismatch explains why a Karpenter chart version does not fit the
// platform's NodePool API version, or returns "" when it does.
func KarpenterMismatch(chartVersion, nodePoolAPIVersion string) string {
	got, ok := KarpenterAPIVersion(chartVersion)
	if major, minor, parsed := majorMinor(chartVersion); parsed && !ok && major == 0 && minor < 32 {
		return fmt.Sprintf("Karpenter %s predates the NodePool API (0.32); krm-flink renders NodePools %s", chartVersion, nodePoolAPIVersion)
	}
	if !ok || got == nodePoolAPIVersion {
		return ""
	}
	if got == KarpenterV1 && nodePoolAPIVersion == KarpenterV1beta1 {
		return V1beta1OnKarpenterV1(chartVersion, "")
	}
	want := "0.32-0.37"
	if nodePoolAPIVersion == KarpenterV1 {
		want = "1.x"
	}
	return fmt.Sprintf("Karpenter %s serves karpenter.sh/%s NodePools but spec.nodes.karpenter.apiVersion is %s: pin Karpenter %s or set the apiVersion to %s",
		chartVersion, got, nodePoolAPIVersion, want, got)
}

// V1beta1OnKarpenterV1 explains why v1beta1 NodePools cannot be rendered
// for a Karpenter 1.x release; pinnedAt names the field that pins it, if any.
func V1beta1OnKarpenterV1(chartVersion, pinnedAt string) string {
	if pinnedAt != "" {
		chartVersion += " (" + pinnedAt + ")"
	}
	return fmt.Sprintf("Karpenter %s serves only karpenter.sh/v1 NodePools and karpenter.k8s.aws/v1 EC2NodeClasses: Karpenter 1.1 removed v1beta1 and 1.0 serves it only to migrate existing objects; set spec.nodes.karpenter.apiVersion to v1, or pin Karpenter 0.32-0.37 for v1beta1",
		chartVersion)
}

var sha256Digest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

func (s *PlatformSpec) validateComponents(path *field.Path) field.ErrorList {
	var errs field.ErrorList
	c := &s.Components
	for _, nc := range c.Each() {
		errs = append(errs, nc.validate(path.Child(nc.Name), nc.Name)...)
	}
	cm := &c.CertManager
	if cm.Manifest != "" {
		mp := path.Child(ComponentCertManager)
		if cm.Chart != nil {
			errs = append(errs, field.Forbidden(mp.Child("chart"), "give either manifest or chart"))
		}
		if len(cm.Values) > 0 {
			errs = append(errs, field.Forbidden(mp.Child("values"), "a static manifest takes no chart values"))
		}
		if !strings.HasPrefix(cm.Manifest, "https://") && !strings.HasPrefix(cm.Manifest, "http://") && strings.Contains(cm.Manifest, "://") {
			errs = append(errs, field.Invalid(mp.Child("manifest"), cm.Manifest, "must be a local path or an http(s) URL"))
		}
	}
	op := &c.FlinkOperator
	if *op.Enabled && *op.Webhook && !*cm.Enabled {
		errs = append(errs, field.Invalid(path.Child(ComponentFlinkOperator, "webhook"), true,
			"the operator's webhook needs cert-manager for its certificate: enable spec.components.cert-manager or set webhook: false"))
	}
	for k, v := range op.FlinkConfiguration {
		if strings.ContainsAny(k, "\n\r:") || strings.ContainsAny(v, "\n\r") {
			errs = append(errs, field.Invalid(path.Child(ComponentFlinkOperator, "flinkConfiguration").Key(k), v, "keys and values are single lines, keys without ':'"))
		}
	}
	fb := &c.FluentBit
	fp := path.Child(ComponentFluentBit)
	for name, v := range map[string]string{"path": fb.Path, "logGroupName": fb.LogGroupName, "logStreamPrefix": fb.LogStreamPrefix} {
		if strings.ContainsAny(v, "\n\r") {
			errs = append(errs, field.Invalid(fp.Child(name), v, "must be one line: it goes into the Fluent Bit configuration"))
		}
	}
	for i, x := range fb.ExcludePaths {
		if x == "" || strings.ContainsAny(x, ", \t\n\r") {
			errs = append(errs, field.Invalid(fp.Child("excludePaths").Index(i), x, "must be a non-empty path glob without commas or spaces (Exclude_Path is a comma-separated list)"))
		}
	}
	if fb.LogRetentionDays < 0 {
		errs = append(errs, field.Invalid(fp.Child("logRetentionDays"), fb.LogRetentionDays, "must not be negative"))
	}
	k := &c.Karpenter
	if api := s.Nodes.Karpenter.APIVersion; *k.Enabled && *s.Nodes.Karpenter.Enabled && (api == KarpenterV1beta1 || api == KarpenterV1) {
		if served, _ := KarpenterAPIVersion(k.Version); served == KarpenterV1 && api == KarpenterV1beta1 {
			// The NodePool API is the choice to change: Karpenter 1.x has
			// no v1beta1 to render for.
			errs = append(errs, field.Invalid(field.NewPath("spec", "nodes", "karpenter", "apiVersion"), api, V1beta1OnKarpenterV1(k.Version, path.Child(ComponentKarpenter, "version").String())))
		} else if msg := KarpenterMismatch(k.Version, s.Nodes.Karpenter.APIVersion); msg != "" {
			errs = append(errs, field.Invalid(path.Child(ComponentKarpenter, "version"), k.Version, msg))
		}
	}
	return errs
}

func (c *Component) validate(path *field.Path, name string) field.ErrorList {
	var errs field.ErrorList
	if c.Version == "" {
		errs = append(errs, field.Required(path.Child("version"), "pin the chart version"))
	}
	errs = append(errs, dnsLabel(path.Child("namespace"), c.Namespace)...)
	if len(c.ReleaseName) > 53 {
		errs = append(errs, field.TooLong(path.Child("releaseName"), c.ReleaseName, 53))
	} else {
		errs = append(errs, dnsSubdomain(path.Child("releaseName"), c.ReleaseName)...)
	}
	errs = append(errs, oneOf(path.Child("hooks"), []string{string(c.Hooks)}, string(HooksPlain), string(HooksKeep), string(HooksDrop))...)
	if src := c.Chart; src != nil {
		cp := path.Child("chart")
		switch {
		case src.Path == "" && src.Repo == "":
			errs = append(errs, field.Required(cp, "give path (a chart folder or .tgz) or repo (an http(s) repository or oci:// reference)"))
		case src.Path != "" && src.Repo != "":
			errs = append(errs, field.Forbidden(cp.Child("repo"), "give either path or repo"))
		case src.Repo != "":
			errs = append(errs, validateRepo(cp, src)...)
		}
		if src.Version != "" && src.Version != c.Version {
			errs = append(errs, field.Invalid(cp.Child("version"), src.Version, fmt.Sprintf("differs from spec.components.%s.version (%s); give one of them", name, c.Version)))
		}
		if src.Digest != "" && !sha256Digest.MatchString(src.Digest) {
			errs = append(errs, field.Invalid(cp.Child("digest"), src.Digest, "must be sha256: and 64 lower-case hex digits"))
		}
		if src.Verify && src.Keyring == "" {
			errs = append(errs, field.Required(cp.Child("keyring"), "verify needs a keyring of the signers' public keys"))
		}
		if src.PlainHTTP && !IsOCI(src.Repo) {
			errs = append(errs, field.Forbidden(cp.Child("plainHTTP"), "applies to oci:// references only"))
		}
	}
	for i, sel := range c.Drop {
		if sel == (ObjectSelector{}) {
			errs = append(errs, field.Required(path.Child("drop").Index(i), "set at least one of apiVersion, kind, namespace, name"))
		}
	}
	return errs
}

func validateRepo(path *field.Path, src *ChartSource) field.ErrorList {
	var errs field.ErrorList
	repo := src.Repo
	switch {
	case IsOCI(repo):
		ref := strings.TrimPrefix(repo, "oci://")
		last := ref[strings.LastIndex(ref, "/")+1:]
		if !strings.Contains(ref, "/") || last == "" {
			errs = append(errs, field.Invalid(path.Child("repo"), repo, "an oci:// reference names the chart: oci://<registry>/<path>/<chart>"))
		} else if strings.ContainsAny(last, ":@") {
			errs = append(errs, field.Invalid(path.Child("repo"), repo, "give the version in version, not as a tag or digest"))
		} else if src.Name != "" && src.Name != last {
			errs = append(errs, field.Invalid(path.Child("name"), src.Name, fmt.Sprintf("an oci:// reference names its chart (%s); leave name out", last)))
		}
	case strings.HasPrefix(repo, "https://"), strings.HasPrefix(repo, "http://"):
	default:
		errs = append(errs, field.Invalid(path.Child("repo"), repo, "must be an http(s) chart repository URL or an oci:// reference"))
	}
	return errs
}

func (k *KarpenterNodes) validate(path *field.Path, karpenterVersion string) field.ErrorList {
	var errs field.ErrorList
	switch k.APIVersion {
	case KarpenterV1beta1, KarpenterV1:
	default:
		errs = append(errs, field.NotSupported(path.Child("apiVersion"), k.APIVersion, []string{KarpenterV1beta1, KarpenterV1}))
	}
	nc := &k.NodeClass
	ncp := path.Child("nodeClass")
	errs = append(errs, dnsSubdomain(ncp.Child("name"), nc.Name)...)
	if *k.Enabled {
		if (nc.Role == "") == (nc.InstanceProfile == "") {
			errs = append(errs, field.Required(ncp.Child("role"), "exactly one of role and instanceProfile names the nodes' IAM identity"))
		}
		if k.APIVersion == KarpenterV1beta1 && nc.AMIFamily == "" {
			errs = append(errs, field.Required(ncp.Child("amiFamily"), "Karpenter v1beta1 requires it"))
		}
		if k.APIVersion == KarpenterV1 && len(nc.AMISelectorTerms) == 0 {
			errs = append(errs, field.Required(ncp.Child("amiSelectorTerms"), "Karpenter v1 requires one; amiFamily "+nc.AMIFamily+" has no default alias: select the AMIs by id, name or tags"))
		}
		errs = append(errs, nc.validateAMIs(ncp, k.APIVersion)...)
	}
	errs = append(errs, ValidateNodeNeeds(path.Child("defaults"), &k.Defaults, k.APIVersion, karpenterVersion)...)
	errs = append(errs, requirementClashes(path.Child("defaults"), &k.Defaults, nil)...)
	return errs
}

// ValidateNodeNeeds checks node needs against the NodePool API version in use
// and the Karpenter release the platform pins.
func ValidateNodeNeeds(path *field.Path, n *NodeNeeds, apiVersion, karpenterVersion string) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, oneOf(path.Child("capacityTypes"), n.CapacityTypes, "spot", "on-demand", "reserved")...)
	errs = append(errs, oneOf(path.Child("architectures"), n.Architectures, "amd64", "arm64")...)
	policies := []string{"WhenEmpty", "WhenUnderutilized"}
	if apiVersion == KarpenterV1 {
		policies = []string{"WhenEmpty", "WhenEmptyOrUnderutilized"}
	}
	if n.ConsolidationPolicy != "" {
		errs = append(errs, oneOf(path.Child("consolidationPolicy"), []string{n.ConsolidationPolicy}, policies...)...)
	}
	if n.ConsolidateAfter != "" && !karpenterDuration.MatchString(n.ConsolidateAfter) {
		errs = append(errs, field.Invalid(path.Child("consolidateAfter"), n.ConsolidateAfter, "must be a duration such as 30s, 5m, 1h30m, or Never"))
	}
	if n.ExpireAfter != "" && !karpenterDuration.MatchString(n.ExpireAfter) {
		errs = append(errs, field.Invalid(path.Child("expireAfter"), n.ExpireAfter, "must be a duration such as 720h, or Never"))
	}
	errs = append(errs, validateDisruption(path, n, apiVersion)...)
	errs = append(errs, validateRequirements(path, n, apiVersion, karpenterVersion)...)
	if l := n.Limits; l != nil {
		for name, v := range map[string]string{"cpu": l.CPU, "memory": l.Memory} {
			if v == "" {
				continue
			}
			if q, err := resource.ParseQuantity(v); err != nil {
				errs = append(errs, field.Invalid(path.Child("limits", name), v, "must be a Kubernetes quantity such as 64 or 256Gi"))
			} else if q.Sign() <= 0 {
				errs = append(errs, field.Invalid(path.Child("limits", name), v, "must be greater than zero"))
			}
		}
	}
	return errs
}

func validateFlinkDefaults(path *field.Path, f *FlinkDefaults) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validatePullPolicy(path.Child("imagePullPolicy"), f.ImagePullPolicy)...)
	errs = append(errs, validateFlinkDefaultJobFields(path, f)...)
	errs = append(errs, validateFlinkConfiguration(path.Child("flinkConfiguration"), f.FlinkConfiguration)...)
	errs = append(errs, validateProcess(path.Child("jobManager"), f.JobManager, false)...)
	errs = append(errs, validateProcess(path.Child("taskManager"), f.TaskManager, false)...)
	if f.TaskSlots != nil && *f.TaskSlots < 1 {
		errs = append(errs, field.Invalid(path.Child("taskSlots"), *f.TaskSlots, "must be at least 1"))
	}
	for _, t := range podTemplates(&JobFields{PodTemplate: f.PodTemplate, JobManager: f.JobManager, TaskManager: f.TaskManager}) {
		errs = append(errs, validatePodTemplate(path.Child(t.path[0], t.path[1:]...), t.t)...)
	}
	return errs
}

// JobContext is what a job is validated against: the platform as resolved
// for one environment and the operator version that will run the job.
type JobContext struct {
	Platform        *PlatformSpec
	OperatorVersion string
}

// Validate checks a job after its environment override is merged and Default
// ran. Paths are rooted at the object ("spec.parallelism").
func (j *FlinkJobSpec) Validate(ctx JobContext) field.ErrorList {
	var errs field.ErrorList
	wantKind := KindJob
	if j.IsSession() {
		wantKind = KindSession
	}
	errs = append(errs, validateTypeMeta(j.APIVersion, j.Kind, wantKind)...)
	meta := field.NewPath("metadata")
	switch {
	case j.Metadata.Name == "":
		errs = append(errs, field.Required(meta.Child("name"), ""))
	case !flinkDeploymentName.MatchString(j.Metadata.Name):
		errs = append(errs, field.Invalid(meta.Child("name"), j.Metadata.Name,
			"the Flink operator accepts only names matching [a-z]([-a-z0-9]{0,43}[a-z0-9])? (45 characters at most)"))
	}
	if j.Metadata.Namespace == "" {
		errs = append(errs, field.Required(meta.Child("namespace"), "the namespace the job runs in"))
	} else {
		errs = append(errs, dnsLabel(meta.Child("namespace"), j.Metadata.Namespace)...)
	}
	errs = append(errs, j.validateJobMetadata(meta)...)
	s := &j.Spec.JobFields
	spec := field.NewPath("spec")
	if s.Owner == "" {
		errs = append(errs, field.Required(spec.Child("owner"), "the owning team, tagged on every metric"))
	}
	if s.Image == "" {
		errs = append(errs, field.Required(spec.Child("image"), "set it on the job or as spec.flink.image on the FlinkPlatform"))
	}
	errs = append(errs, validatePullPolicy(spec.Child("imagePullPolicy"), s.ImagePullPolicy)...)
	supported := SupportedFlinkVersions(ctx.OperatorVersion)
	if s.FlinkVersion == "" {
		errs = append(errs, field.Required(spec.Child("flinkVersion"), "set it on the job or as spec.flink.flinkVersion on the FlinkPlatform"))
	} else if !contains(supported, s.FlinkVersion) {
		errs = append(errs, field.Invalid(spec.Child("flinkVersion"), s.FlinkVersion, FlinkVersionHint(ctx.OperatorVersion, s.FlinkVersion)))
	}
	var platformFlink *FlinkDefaults
	if ctx.Platform != nil {
		platformFlink = &ctx.Platform.Flink
	}
	errs = append(errs, s.validateJobFields(spec, platformFlink)...)
	if j.IsSession() {
		errs = append(errs, sessionOnlyErrors(spec, s)...)
	} else if s.JarURI == "" {
		errs = append(errs, field.Required(spec.Child("jarURI"), "e.g. local:///opt/flink/usrlib/job.jar"))
	}
	if s.Parallelism != nil && *s.Parallelism < 1 {
		errs = append(errs, field.Invalid(spec.Child("parallelism"), *s.Parallelism, "must be at least 1"))
	}
	if s.TaskSlots != nil && *s.TaskSlots < 1 {
		errs = append(errs, field.Invalid(spec.Child("taskSlots"), *s.TaskSlots, "must be at least 1"))
	}
	if !j.IsSession() {
		errs = append(errs, oneOf(spec.Child("upgradeMode"), []string{s.UpgradeMode}, "stateless", "savepoint", "last-state")...)
		errs = append(errs, oneOf(spec.Child("state"), []string{s.State}, "running", "suspended")...)
	}
	conf := s.FlinkConfiguration
	errs = append(errs, validateFlinkConfiguration(spec.Child("flinkConfiguration"), conf)...)
	if port, ok := conf[PromReporterPortKey]; ok && ctx.Platform != nil && port != strconv.Itoa(int(ctx.Platform.Metrics.Port)) {
		errs = append(errs, field.Invalid(spec.Child("flinkConfiguration").Key(PromReporterPortKey), port,
			fmt.Sprintf("must be the platform's spec.metrics.port (%d): Datadog scrapes that port on every Flink pod", ctx.Platform.Metrics.Port)))
	}
	mode := s.UpgradeMode
	if j.IsSession() {
		mode = "" // refused above; its jobs' modes are checked on them
	}
	switch mode {
	case "last-state":
		if conf["high-availability.type"] == "" && conf["high-availability"] == "" {
			errs = append(errs, field.Required(spec.Child("flinkConfiguration").Key("high-availability.type"),
				"upgradeMode last-state needs high availability (e.g. kubernetes)"))
		}
		if conf["state.checkpoints.dir"] == "" && conf["execution.checkpointing.dir"] == "" {
			errs = append(errs, field.Required(spec.Child("flinkConfiguration").Key("state.checkpoints.dir"),
				"upgradeMode last-state needs a checkpoint directory"))
		}
	case "savepoint":
		if conf["state.savepoints.dir"] == "" && conf["execution.checkpointing.savepoint-dir"] == "" {
			errs = append(errs, field.Required(spec.Child("flinkConfiguration").Key("state.savepoints.dir"),
				"upgradeMode savepoint needs a savepoint directory"))
		}
	}
	if a := s.Autoscaler; a != nil {
		for k := range a.Settings {
			if strings.HasPrefix(k, "job.autoscaler.") {
				errs = append(errs, field.Invalid(spec.Child("autoscaler", "settings").Key(k), k, "leave out the job.autoscaler. prefix"))
			}
		}
	}
	errs = append(errs, validateProcess(spec.Child("jobManager"), s.JobManager, true)...)
	errs = append(errs, validateProcess(spec.Child("taskManager"), s.TaskManager, true)...)
	for i, m := range s.Metrics {
		if _, err := regexp.Compile(m); err != nil {
			errs = append(errs, field.Invalid(spec.Child("metrics").Index(i), m, "must be a regular expression: "+err.Error()))
		}
	}
	errs = append(errs, j.validateSecurity(spec, ctx)...)
	if !j.IsSession() {
		errs = append(errs, snapshotBlueGreenErrors(spec, j.Metadata.Name, s, ctx.OperatorVersion)...)
	}
	errs = append(errs, validateJobPodTemplates(spec, s, ctx.Platform)...)
	errs = append(errs, validateSecrets(spec.Child("secrets"), s.Secrets, spec.Child("flinkConfiguration"), s.FlinkConfiguration)...)
	var platformConf map[string]string
	if ctx.Platform != nil {
		platformConf = ctx.Platform.Flink.FlinkConfiguration
	}
	errs = append(errs, validateConfigKeys(spec, s, platformConf)...)
	if ctx.Platform != nil && s.Nodes != nil {
		k := &ctx.Platform.Nodes.Karpenter
		errs = append(errs, ValidateNodeNeeds(spec.Child("nodes"), s.Nodes, k.APIVersion, ctx.Platform.Components.Karpenter.Version)...)
		errs = append(errs, requirementClashes(spec.Child("nodes"), s.Nodes, &k.Defaults)...)
		errs = append(errs, validateLimitsFitPods(spec.Child("nodes", "limits"), s)...)
	}
	return errs
}

// validateLimitsFitPods rejects NodePool limits too small for even one of the
// job's pods: such a pool can never launch a node and the job never starts.
func validateLimitsFitPods(path *field.Path, s *JobFields) field.ErrorList {
	l := s.Nodes.Limits
	if l == nil {
		return nil
	}
	var errs field.ErrorList
	var maxCPU float64
	var maxMem int64
	for _, p := range []*ProcessSpec{s.JobManager, s.TaskManager} {
		if p == nil || p.Resource == nil {
			continue
		}
		if p.Resource.CPU != nil && *p.Resource.CPU > maxCPU {
			maxCPU = *p.Resource.CPU
		}
		if b, err := ParseMemory(p.Resource.Memory); err == nil && b > maxMem {
			maxMem = b
		}
	}
	if q, err := resource.ParseQuantity(l.CPU); err == nil && l.CPU != "" && q.AsApproximateFloat64() < maxCPU {
		errs = append(errs, field.Invalid(path.Child("cpu"), l.CPU,
			fmt.Sprintf("is below one pod of this job (%s CPU): the NodePool could never launch a node", strconv.FormatFloat(maxCPU, 'f', -1, 64))))
	}
	if q, err := resource.ParseQuantity(l.Memory); err == nil && l.Memory != "" && q.Value() < maxMem {
		errs = append(errs, field.Invalid(path.Child("memory"), l.Memory,
			fmt.Sprintf("is below one pod of this job (%d bytes): the NodePool could never launch a node", maxMem)))
	}
	return errs
}

func validateProcess(path *field.Path, p *ProcessSpec, required bool) field.ErrorList {
	var errs field.ErrorList
	if p == nil {
		if required {
			errs = append(errs, field.Required(path.Child("resource"), "cpu and memory"))
		}
		return errs
	}
	if p.Replicas != nil && *p.Replicas < 1 {
		errs = append(errs, field.Invalid(path.Child("replicas"), *p.Replicas, "must be at least 1"))
	}
	r := p.Resource
	if r == nil {
		r = &Resource{}
	}
	rp := path.Child("resource")
	if r.CPU != nil && *r.CPU <= 0 {
		errs = append(errs, field.Invalid(rp.Child("cpu"), *r.CPU, "must be greater than zero"))
	}
	if required && r.CPU == nil {
		errs = append(errs, field.Required(rp.Child("cpu"), "set it on the job or in spec.flink of the FlinkPlatform"))
	}
	if r.Memory == "" {
		if required {
			errs = append(errs, field.Required(rp.Child("memory"), "the operator rejects a JobManager or TaskManager without memory"))
		}
	} else if _, err := ParseMemory(r.Memory); err != nil {
		errs = append(errs, field.Invalid(rp.Child("memory"), r.Memory, err.Error()))
	}
	if r.EphemeralStorage != "" {
		if _, err := ParseMemory(r.EphemeralStorage); err != nil {
			errs = append(errs, field.Invalid(rp.Child("ephemeralStorage"), r.EphemeralStorage, err.Error()))
		}
	}
	return errs
}

func validateFlinkConfiguration(path *field.Path, conf map[string]string) field.ErrorList {
	var errs field.ErrorList
	for _, k := range reservedFlinkKeys {
		if _, ok := conf[k]; ok {
			errs = append(errs, field.Forbidden(path.Key(k), "the Flink operator sets this key itself and rejects it"))
		}
	}
	return errs
}

func validatePullPolicy(path *field.Path, v string) field.ErrorList {
	if v == "" {
		return nil
	}
	return oneOf(path, []string{v}, "Always", "IfNotPresent", "Never")
}

func validateTypeMeta(apiVersion, kind, wantKind string) field.ErrorList {
	var errs field.ErrorList
	if apiVersion != APIVersion {
		errs = append(errs, field.NotSupported(field.NewPath("apiVersion"), apiVersion, []string{APIVersion}))
	}
	if kind != wantKind {
		errs = append(errs, field.NotSupported(field.NewPath("kind"), kind, []string{wantKind}))
	}
	return errs
}

func dnsLabel(path *field.Path, v string) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Label(v) {
		errs = append(errs, field.Invalid(path, v, msg))
	}
	return errs
}

func dnsSubdomain(path *field.Path, v string) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Subdomain(v) {
		errs = append(errs, field.Invalid(path, v, msg))
	}
	return errs
}

func oneOf(path *field.Path, vs []string, allowed ...string) field.ErrorList {
	var errs field.ErrorList
	for i, v := range vs {
		if contains(allowed, v) {
			continue
		}
		p := path
		if len(vs) > 1 || path.String() != "" && isListField(path) {
			p = path.Index(i)
		}
		errs = append(errs, field.NotSupported(p, v, allowed))
	}
	return errs
}

// isListField tells oneOf whether path names a list, so errors index into it.
func isListField(path *field.Path) bool {
	s := path.String()
	for _, suffix := range []string{"capacityTypes", "architectures", "reasons"} {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

// FlinkVersionHint says which flinkVersion values an operator release runs,
// where that release is chosen and, when a newer release's CRD has value,
// which release that is.
func FlinkVersionHint(operatorVersion, value string) string {
	msg := fmt.Sprintf("the Flink operator %s (spec.components.flink-operator.version on the FlinkPlatform) runs %s",
		operatorVersion, strings.Join(SupportedFlinkVersions(operatorVersion), ", "))
	if since, ok := flinkcrd.ValueSince(flinkcrd.KindFlinkDeployment, flinkVersionPath, value); ok {
		if r, parsed := flinkcrd.ParseRelease(operatorVersion); parsed && r.Less(since) {
			msg += fmt.Sprintf("; %s needs operator %s or later", value, since)
		}
	}
	return msg
}

// flinkVersionPath is the FlinkDeployment field whose CRD enum lists the
// Flink versions an operator release accepts.
const flinkVersionPath = "spec.flinkVersion"

// oldestRunFlinkVersion is the oldest flinkVersion the operator releases
// krm-flink knows (1.7 on) still run: their CRDs keep v1_13 and v1_14 in
// the enum, but the operator no longer supports them.
const oldestRunFlinkVersion = "v1_15"

// SupportedFlinkVersions lists the flinkVersion values an operator release
// both accepts in its CRD (internal/flinkcrd, generated from the upstream
// CRDs) and runs; a release that is not a single version gets the newest
// known release's list.
func SupportedFlinkVersions(operatorVersion string) []string {
	r, ok := flinkcrd.ParseRelease(operatorVersion)
	if !ok {
		rs := flinkcrd.Releases()
		r = rs[len(rs)-1]
	}
	var out []string
	for _, v := range flinkcrd.EnumValues(flinkcrd.KindFlinkDeployment, flinkVersionPath, r) {
		if compareFlinkVersions(v, oldestRunFlinkVersion) >= 0 {
			out = append(out, v)
		}
	}
	return out
}

// compareFlinkVersions orders enum values such as v1_9, v1_15 and v2_0.
func compareFlinkVersions(a, b string) int {
	pa, pb := strings.Split(strings.TrimPrefix(a, "v"), "_"), strings.Split(strings.TrimPrefix(b, "v"), "_")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, errX := strconv.Atoi(pa[i])
		y, errY := strconv.Atoi(pb[i])
		if errX != nil || errY != nil {
			return strings.Compare(a, b)
		}
		if x != y {
			return x - y
		}
	}
	return len(pa) - len(pb)
}

func majorMinor(v string) (int, int, bool) {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}
