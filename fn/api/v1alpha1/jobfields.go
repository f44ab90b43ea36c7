package v1alpha1

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ClusterSettings are the settings of a job's Flink cluster (its
// FlinkDeployment) that the platform's spec.flink gives every job and a job
// may override.
type ClusterSettings struct {
	// Image of the Flink pods, by tag or (with requireDigests) digest; a
	// job's overrides the platform's.
	// +optional
	Image string `json:"image,omitempty"`
	// ImagePullPolicy: Always, IfNotPresent or Never; a job's overrides the
	// platform's.
	// +optional
	ImagePullPolicy string `json:"imagePullPolicy,omitempty"`
	// FlinkVersion is the operator's enum (v1_18, v1_19...): one the pinned
	// operator release's CRD accepts and still runs (v1_15 and later); a
	// job's overrides the platform's.
	// +optional
	FlinkVersion string `json:"flinkVersion,omitempty"`
	// ServiceAccount the Flink pods run as: a name, or {name, iamRoleArn}
	// for an IAM role (IRSA). A job without its own inherits the platform's
	// whole; default "flink".
	// +optional
	ServiceAccount *ServiceAccountRef `json:"serviceAccount,omitempty"`
	// S3WebIdentity adds the S3 credential settings Flink's S3 filesystems
	// need to use the IAM role of serviceAccount (S3WebIdentityConfiguration);
	// the platform's adds them to every job with an IAM role.
	// +optional
	S3WebIdentity *bool `json:"s3WebIdentity,omitempty"`
	// Ingress for the Flink web UI, created by the operator. The platform's
	// className, annotations and labels are defaults for every job with an
	// ingress; with a template, every job gets one.
	// +optional
	Ingress *Ingress `json:"ingress,omitempty"`
	// LogConfiguration replaces Flink's logging configuration, by file name:
	// log4j-console.properties or logback-console.xml. The platform's are
	// defaults; a job's files win.
	// +optional
	LogConfiguration map[string]string `json:"logConfiguration,omitempty"`
	// Mode is native (default: the JobManager creates TaskManager pods) or
	// standalone (the operator does; reactive scaling); the platform's is the
	// jobs' default.
	// +optional
	Mode string `json:"mode,omitempty"`
}

// Ingress is the FlinkDeployment's ingress for the Flink web UI, as the
// operator's IngressSpec: the operator creates the Ingress object.
type Ingress struct {
	// Template is the URL of the UI, with {{name}} and {{namespace}}
	// placeholders, e.g. "flink.example.com/{{namespace}}/{{name}}(/|$)(.*)"
	// or "{{name}}.{{namespace}}.flink.example.com". Required on every job
	// that has an ingress.
	// +optional
	Template string `json:"template,omitempty"`
	// ClassName is the Ingress's ingressClassName.
	// +optional
	ClassName string `json:"className,omitempty"`
	// Annotations of the Ingress, e.g. nginx.ingress.kubernetes.io/rewrite-target.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
	// Labels of the Ingress (operator 1.8+).
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
	// TLS of the Ingress (operator 1.8+).
	// +optional
	TLS []IngressTLS `json:"tls,omitempty"`
}

// IngressTLS is one TLS entry of an Ingress, as networking.k8s.io/v1's.
type IngressTLS struct {
	// +optional
	Hosts []string `json:"hosts,omitempty"`
	// SecretName names the TLS Secret in the job's namespace.
	// +optional
	SecretName string `json:"secretName,omitempty"`
}

// Deployment modes of a FlinkDeployment (spec.mode).
const (
	ModeNative     = "native"
	ModeStandalone = "standalone"
)

// MaxNonce is the largest nonce a job may set: 2^53-1, the largest integer
// that tools reading JSON numbers as doubles (jq, JavaScript UIs such as
// Argo CD's diff) still hold exactly.
const MaxNonce = 1<<53 - 1

// LogConfigurationFiles are the logConfiguration keys the operator accepts:
// the Log4j 2 and the Logback configuration of the Flink processes.
var LogConfigurationFiles = []string{"log4j-console.properties", "logback-console.xml"}

// defaultJobFields fills the job fields of this file from the platform's
// spec.flink: the identity as a whole, the ingress and log
// configuration merged key by key (the job's win), the mode.
func (s *JobFields) defaultJobFields(f *FlinkDefaults) {
	if s.ServiceAccount.unset() {
		s.ServiceAccount = copyRef(f.ServiceAccount)
	}
	if sa, d := s.ServiceAccount, f.ServiceAccount; sa != nil && d != nil && sa.raw == nil && sa.IAMRoleArn == "" && sa.Name == d.Name {
		// The platform's ServiceAccount by name is the platform's identity,
		// role included: one ServiceAccount has one role.
		s.ServiceAccount = copyRef(d)
	}
	if s.ServiceAccount.unset() {
		s.ServiceAccount = &ServiceAccountRef{Name: DefaultServiceAccount}
	}
	s.Ingress = mergeIngress(f.Ingress, s.Ingress)
	s.LogConfiguration = mergeStrings(f.LogConfiguration, s.LogConfiguration)
	s.Mode = firstNonEmpty(s.Mode, f.Mode)
}

// WebIdentityS3 tells whether the job gets S3WebIdentityConfiguration: it
// asks for it, itself or through the platform's spec.flink f, and has an
// IAM role. A platform default leaves jobs without a role alone; a job that
// asks itself without a role is refused by validation.
func (s *JobFields) WebIdentityS3(f *FlinkDefaults) bool {
	on := s.S3WebIdentity
	if on == nil && f != nil {
		on = f.S3WebIdentity
	}
	return on != nil && *on && s.ServiceAccount != nil && s.ServiceAccount.IAMRoleArn != ""
}

// mergeIngress returns the platform's ingress overlaid with the job's: a job
// without an ingress of its own gets the platform's only when that names a
// template (it then gives every job one); otherwise the platform's
// className, annotations and labels are defaults for jobs that have one.
func mergeIngress(base, over *Ingress) *Ingress {
	if over == nil && (base == nil || base.Template == "") {
		return nil
	}
	out := &Ingress{}
	for _, src := range []*Ingress{base, over} {
		if src == nil {
			continue
		}
		out.Template = firstNonEmpty(src.Template, out.Template)
		out.ClassName = firstNonEmpty(src.ClassName, out.ClassName)
		out.Annotations = mergeStrings(out.Annotations, src.Annotations)
		out.Labels = mergeStrings(out.Labels, src.Labels)
		if len(src.TLS) > 0 {
			out.TLS = slices.Clone(src.TLS)
		}
	}
	return out
}

// validateJobFields checks the job fields of this file, after defaulting.
// platform is the platform's spec.flink, nil when unknown.
func (s *JobFields) validateJobFields(spec *field.Path, platform *FlinkDefaults) field.ErrorList {
	var errs field.ErrorList
	sa := spec.Child("serviceAccount")
	errs = append(errs, s.ServiceAccount.validate(sa)...)
	if s.S3WebIdentity != nil && *s.S3WebIdentity && !s.WebIdentityS3(nil) && s.ServiceAccount != nil && len(s.ServiceAccount.problems) == 0 {
		errs = append(errs, field.Invalid(spec.Child("s3WebIdentity"), true,
			"needs an IAM role for the job's pods: give serviceAccount as {name, iamRoleArn}"))
	}
	if s.WebIdentityS3(platform) {
		for _, k := range slices.Sorted(maps.Keys(S3WebIdentityConfiguration())) {
			want := S3WebIdentityConfiguration()[k]
			if v, ok := s.FlinkConfiguration[k]; ok && v != want {
				errs = append(errs, field.Invalid(spec.Child("flinkConfiguration").Key(k), v,
					fmt.Sprintf("s3WebIdentity sets it to %q for the job's IAM role; set s3WebIdentity: false to choose the S3 credentials yourself", want)))
			}
		}
	}
	if s.Mode != "" {
		errs = append(errs, oneOf(spec.Child("mode"), []string{s.Mode}, ModeNative, ModeStandalone)...)
	}
	for _, n := range []struct {
		name string
		v    *int64
	}{
		{"restartNonce", s.RestartNonce}, {"savepointTriggerNonce", s.SavepointTriggerNonce},
		{"checkpointTriggerNonce", s.CheckpointTriggerNonce}, {"savepointRedeployNonce", s.SavepointRedeployNonce},
		{"autoscalerResetNonce", s.AutoscalerResetNonce},
	} {
		if n.v != nil && (*n.v < 0 || *n.v > MaxNonce) {
			errs = append(errs, field.Invalid(spec.Child(n.name), *n.v, fmt.Sprintf("must be 0 to %d: tools that read JSON numbers as doubles keep integers exact up to there (a Unix time in milliseconds fits)", int64(MaxNonce))))
		}
	}
	errs = append(errs, validateIngress(spec.Child("ingress"), s.Ingress, true)...)
	errs = append(errs, validateLogConfiguration(spec.Child("logConfiguration"), s.LogConfiguration)...)
	if p := s.InitialSavepointPath; strings.ContainsAny(p, " \t\n\r") {
		errs = append(errs, field.Invalid(spec.Child("initialSavepointPath"), p, "must be a savepoint or checkpoint URI without spaces, e.g. s3://bucket/savepoints/savepoint-1a2b3c"))
	}
	return errs
}

// validateFlinkDefaultJobFields checks the platform's defaults of the job
// fields of this file.
func validateFlinkDefaultJobFields(path *field.Path, f *FlinkDefaults) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, f.ServiceAccount.validate(path.Child("serviceAccount"))...)
	if f.Mode != "" {
		errs = append(errs, oneOf(path.Child("mode"), []string{f.Mode}, ModeNative, ModeStandalone)...)
	}
	errs = append(errs, validateIngress(path.Child("ingress"), f.Ingress, false)...)
	errs = append(errs, validateLogConfiguration(path.Child("logConfiguration"), f.LogConfiguration)...)
	return errs
}

// ingressPlaceholder matches the operator's template placeholders.
var ingressPlaceholder = regexp.MustCompile(`\{\{(name|namespace)\}\}`)

func validateIngress(path *field.Path, in *Ingress, needTemplate bool) field.ErrorList {
	if in == nil {
		return nil
	}
	var errs field.ErrorList
	switch {
	case in.Template == "" && needTemplate:
		errs = append(errs, field.Required(path.Child("template"), "the UI's URL, e.g. {{name}}.{{namespace}}.flink.example.com; the operator refuses an ingress without one"))
	case in.Template != "":
		u := ingressPlaceholder.ReplaceAllString(in.Template, "x")
		if !strings.Contains(u, "://") {
			u = "http://" + u
		}
		if parsed, err := url.Parse(u); err != nil || strings.ContainsAny(in.Template, " \t\n\r") || parsed.Host == "" && parsed.Path == "" {
			errs = append(errs, field.Invalid(path.Child("template"), in.Template, "must be a URL (host and/or path) with {{name}} and {{namespace}} placeholders"))
		}
	}
	if in.ClassName != "" {
		errs = append(errs, dnsSubdomain(path.Child("className"), in.ClassName)...)
	}
	for _, k := range slices.Sorted(maps.Keys(in.Annotations)) {
		for _, msg := range validation.IsQualifiedName(strings.ToLower(k)) {
			errs = append(errs, field.Invalid(path.Child("annotations").Key(k), k, msg))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(in.Labels)) {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(path.Child("labels").Key(k), k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(in.Labels[k]) {
			errs = append(errs, field.Invalid(path.Child("labels").Key(k), in.Labels[k], msg))
		}
	}
	for i, t := range in.TLS {
		tp := path.Child("tls").Index(i)
		for j, h := range t.Hosts {
			for _, msg := range validation.IsFullyQualifiedDomainName(tp.Child("hosts").Index(j), strings.TrimPrefix(h, "*.")) {
				errs = append(errs, msg)
			}
		}
		if t.SecretName != "" {
			errs = append(errs, dnsSubdomain(tp.Child("secretName"), t.SecretName)...)
		}
	}
	return errs
}

func validateLogConfiguration(path *field.Path, files map[string]string) field.ErrorList {
	var errs field.ErrorList
	for _, k := range slices.Sorted(maps.Keys(files)) {
		if !slices.Contains(LogConfigurationFiles, k) {
			errs = append(errs, field.NotSupported(path.Key(k), k, LogConfigurationFiles))
		}
	}
	return errs
}

// JobNonces are the FlinkDeployment spec.job nonce fields of a job, by
// their YAML names, that are set; for the job chart's values.
func (s *JobFields) JobNonces() map[string]any {
	out := s.JobActions.JobNonces()
	if s.AutoscalerResetNonce != nil {
		out["autoscalerResetNonce"] = *s.AutoscalerResetNonce
	}
	return out
}

// String names the identity for messages: the name, and the role if any.
func (s *ServiceAccountRef) String() string {
	if s == nil {
		return ""
	}
	if s.IAMRoleArn == "" {
		return fmt.Sprintf("%s (no IAM role)", s.Name)
	}
	return fmt.Sprintf("%s (IAM role %s)", s.Name, s.IAMRoleArn)
}
