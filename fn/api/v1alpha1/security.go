package v1alpha1

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Pod Security Standard levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/)
// a job's Flink pods are rendered for. Restricted is the default; the others
// are an explicit, visible opt-out.
const (
	PodSecurityRestricted = "restricted"
	PodSecurityBaseline   = "baseline"
	PodSecurityPrivileged = "privileged"
)

// PodSecurityLevels lists the values spec.podSecurity accepts.
var PodSecurityLevels = []string{PodSecurityRestricted, PodSecurityBaseline, PodSecurityPrivileged}

// PodSecurityAnnotation marks a FlinkDeployment whose pods krm-flink renders
// below the restricted Pod Security Standard, with the level it opted out to.
const PodSecurityAnnotation = Group + "/pod-security"

// MaxClusterRoleName is the longest spec.rbac.clusterRoleName that leaves
// room, in ClusterRoleBinding mode, for the bindings' names
// "<clusterRoleName>-<namespace>" with any namespace (a DNS label, at most 63
// characters) within Kubernetes' 253-character object names.
const MaxClusterRoleName = validation.DNS1123SubdomainMaxLength - 1 - validation.DNS1123LabelMaxLength

// ValidateImage checks an image reference, [registry[:port]/]repository
// [:tag][@digest], as go-containerregistry parses it (a registry or tag may
// be left out: Docker Hub, latest). A digest, when given, must be sha256;
// with requireDigest an image given by tag alone is an error.
func ValidateImage(path *field.Path, image string, requireDigest bool) field.ErrorList {
	if image == "" {
		return nil
	}
	ref, err := name.ParseReference(image)
	if err != nil {
		// Tell a bad digest from a bad name: the name part parses alone.
		if base, _, pinned := strings.Cut(image, "@"); pinned {
			if _, err := name.NewTag(base); err == nil {
				return field.ErrorList{field.Invalid(path, image, "the digest after @ must be sha256: and 64 lower-case hex digits")}
			}
		}
		return field.ErrorList{field.Invalid(path, image, "must be an image reference: [registry/]repository[:tag][@sha256:<64 hex digits>], repository in lower case")}
	}
	if _, pinned := ref.(name.Digest); !pinned && requireDigest {
		return field.ErrorList{field.Invalid(path, image,
			"is given by tag, and images must be pinned by digest here (--require-digests or spec.requireDigests): use <repository>@sha256:<64 hex digits>")}
	}
	return nil
}

// credentialKey matches configuration keys whose value is a credential:
// s3.secret-key, fs.s3a.access.key, security.ssl.keystore-password,
// metrics.reporter.dghttp.apikey... but not references to Secrets
// (kubernetes.secrets, kubernetes.env.secretKeyRef) nor provider classes.
var credentialKey = regexp.MustCompile(`(?i)(^|[._-])(password|passwd|passphrase|secret|secret[._-]?key|secret[._-]?access[._-]?key|access[._-]?key(?:[._-]?id)?|api[._-]?key|apikey|app[._-]?key|auth[._-]?token|token|private[._-]?key|session[._-]?token|credentials?)$`)

// IsCredentialKey tells whether a configuration key names a credential.
func IsCredentialKey(key string) bool { return credentialKey.MatchString(key) }

// secretValuePatterns are values that are credentials whatever their key.
var secretValuePatterns = []struct {
	name string
	re   *regexp.Regexp
}{
	{"an AWS access key id", regexp.MustCompile(`\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b`)},
	{"a private key", regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----`)},
	{"a GitHub token", regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36,}\b`)},
	{"a Slack token", regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`)},
}

// SecretValueKind returns what kind of credential a value looks like, or "".
func SecretValueKind(v string) string {
	for _, p := range secretValuePatterns {
		if p.re.MatchString(v) {
			return p.name
		}
	}
	return ""
}

const credentialHint = "krm-flink never writes credentials into the overlays (they are committed to Git): " +
	"reference a Secret (a job's spec.secrets: {name: <secret>, key: <key>, env: <VARIABLE>}, or env valueFrom.secretKeyRef in a pod template) " +
	"or use an IAM role (IRSA)"

// policyHint names the escape hatch, in every plain-text credential error.
const policyHint = "; or, to render it as written, set the platform's spec.policy.plainTextCredentials: warn"

// configKeyHint is the way out for a credential Flink option.
func configKeyHint(key string) string {
	hint := fmt.Sprintf("krm-flink never writes credentials into the overlays (they are committed to Git): "+
		"give Flink the option from a Secret, secrets: [{name: <secret>, key: <key>, configKey: %s}] in the job's (or session cluster's) spec", key)
	if strings.Contains(key, "s3") {
		// A key passed by reference still reaches the TaskManager pods'
		// spec; a role needs no key at all.
		hint += ", or better, no key at all: an IAM role (spec.serviceAccount.iamRoleArn, IRSA)"
	}
	return hint
}

// plainText marks a validation error about a credential written in plain
// text: spec.policy.plainTextCredentials: warn turns it into a warning.
type plainText struct{ what string }

// plainTextError reports a credential written in plain text at path: what
// it is, and instead, what to write.
func plainTextError(path *field.Path, what, instead string) *field.Error {
	return &field.Error{Type: field.ErrorTypeForbidden, Field: path.String(), BadValue: plainText{what}, Detail: what + "; " + instead + policyHint}
}

// ApplyCredentialPolicy splits validation errors by the platform's
// spec.policy.plainTextCredentials: with warn, the plain-text credential
// errors come back as the second list, as warnings whose detail says the
// value is rendered as written; with error (or empty) errs is unchanged.
func ApplyCredentialPolicy(errs field.ErrorList, policy string) (field.ErrorList, field.ErrorList) {
	if policy != PolicyWarn {
		return errs, nil
	}
	var kept, warnings field.ErrorList
	for _, e := range errs {
		pt, ok := e.BadValue.(plainText)
		if !ok {
			kept = append(kept, e)
			continue
		}
		w := *e
		w.Detail = pt.what + " in plain text: rendered as written, into overlays committed to Git, because the platform's spec.policy.plainTextCredentials is warn"
		warnings = append(warnings, &w)
	}
	return kept, warnings
}

// sessionJobHint is the way out for a credential option of a session job,
// which runs in its session cluster's processes.
func sessionJobHint(key string) string {
	return fmt.Sprintf("krm-flink never writes credentials into the overlays (they are committed to Git): "+
		"a session job runs in its session cluster's JobManager and TaskManagers, so give the option to the session cluster from a Secret, secrets: [{name: <secret>, key: <key>, configKey: %s}] in its FlinkSessionSpec", key)
}

// validateNoCredentials rejects credential keys and credential-looking values
// in a string map (flinkConfiguration, settings, tags). hint says what to
// write instead for a key; nil for the general advice.
func validateNoCredentials(path *field.Path, m map[string]string, checkKeys bool, hint func(key string) string) field.ErrorList {
	var errs field.ErrorList
	for _, k := range sortedStringKeys(m) {
		hint := hint
		if hint == nil {
			hint = func(string) string { return credentialHint }
		}
		switch {
		case checkKeys && IsCredentialKey(k) && m[k] != "":
			errs = append(errs, plainTextError(path.Key(k), "holds a credential", hint(k)))
		case SecretValueKind(m[k]) != "":
			errs = append(errs, plainTextError(path.Key(k), "the value looks like "+SecretValueKind(m[k]), hint(k)))
		}
	}
	return errs
}

func validateNoSecretValue(path *field.Path, v string) field.ErrorList {
	if kind := SecretValueKind(v); kind != "" {
		return field.ErrorList{plainTextError(path, "the value looks like "+kind, credentialHint)}
	}
	return nil
}

// validateNoSecretValues walks raw chart values for credential-looking strings.
func validateNoSecretValues(path *field.Path, v any) field.ErrorList {
	var errs field.ErrorList
	switch x := v.(type) {
	case string:
		errs = append(errs, validateNoSecretValue(path, x)...)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			errs = append(errs, validateNoSecretValues(path.Child(k), x[k])...)
		}
	case []any:
		for i, item := range x {
			errs = append(errs, validateNoSecretValues(path.Index(i), item)...)
		}
	}
	return errs
}

// validatePlatformSecurity checks what the platform contributes to the
// security defaults: image references, credentials, names that must fit
// once combined.
func (s *PlatformSpec) validateSecurity(spec *field.Path) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, ValidateImage(spec.Child("flink", "image"), s.Flink.Image, s.RequireDigests)...)
	errs = append(errs, validateNoCredentials(spec.Child("flink", "flinkConfiguration"), s.Flink.FlinkConfiguration, true, configKeyHint)...)
	errs = append(errs, validateNoCredentials(spec.Child("metrics", "datadog", "tags"), s.Metrics.Datadog.Tags, false, nil)...)
	for i, e := range s.Environments {
		errs = append(errs, validateNoCredentials(spec.Child("environments").Index(i).Child("tags"), e.Tags, false, nil)...)
	}
	errs = append(errs, validateNoCredentials(spec.Child("components", ComponentFlinkOperator, "flinkConfiguration"), s.Components.FlinkOperator.FlinkConfiguration, true, nil)...)
	for _, nc := range s.Components.Each() {
		errs = append(errs, validateNoSecretValues(spec.Child("components", nc.Name, "values"), map[string]any(nc.Values))...)
	}
	if s.RBAC.Mode == RBACClusterRoleBinding && len(s.RBAC.ClusterRoleName) > MaxClusterRoleName {
		e := field.TooLong(spec.Child("rbac", "clusterRoleName"), s.RBAC.ClusterRoleName, MaxClusterRoleName)
		e.Detail = fmt.Sprintf("%d characters, more than the %d that leave room for the bindings: mode ClusterRoleBinding names each <clusterRoleName>-<namespace>, and object names have at most 253 characters",
			len(s.RBAC.ClusterRoleName), MaxClusterRoleName)
		errs = append(errs, e)
	}
	return errs
}

// validateJobSecurity checks a job's image, pod security level and the
// values that end up as labels or in the FlinkDeployment.
func (j *FlinkJobSpec) validateSecurity(spec *field.Path, ctx JobContext) field.ErrorList {
	var errs field.ErrorList
	s := &j.Spec.JobFields
	// An image inherited from the platform is reported there, once.
	if ctx.Platform == nil || s.Image != ctx.Platform.Flink.Image {
		errs = append(errs, ValidateImage(spec.Child("image"), s.Image, ctx.Platform != nil && ctx.Platform.RequireDigests)...)
	}
	if s.PodSecurity != "" {
		errs = append(errs, oneOf(spec.Child("podSecurity"), []string{s.PodSecurity}, PodSecurityLevels...)...)
	}
	if s.Owner != "" {
		for _, msg := range validation.IsValidLabelValue(s.Owner) {
			errs = append(errs, field.Invalid(spec.Child("owner"), s.Owner, "becomes the krm-flink.io/owner label of the job's objects: "+msg))
		}
	}
	// Only the job's own keys: the platform's are reported on the platform.
	own := map[string]string{}
	for k, v := range s.FlinkConfiguration {
		if ctx.Platform == nil || ctx.Platform.Flink.FlinkConfiguration[k] != v {
			own[k] = v
		}
	}
	errs = append(errs, validateNoCredentials(spec.Child("flinkConfiguration"), own, true, configKeyHint)...)
	if s.Autoscaler != nil {
		errs = append(errs, validateNoCredentials(spec.Child("autoscaler", "settings"), s.Autoscaler.Settings, false, nil)...)
	}
	for i, a := range s.Args {
		errs = append(errs, validateNoSecretValue(spec.Child("args").Index(i), a)...)
	}
	for _, f := range [][2]string{{"jarURI", s.JarURI}, {"entryClass", s.EntryClass}, {"repo", s.Repo}} {
		errs = append(errs, validateNoSecretValue(spec.Child(f[0]), f[1])...)
	}
	return errs
}

func sortedStringKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
