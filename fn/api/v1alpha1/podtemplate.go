package v1alpha1

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PodTemplate is a Kubernetes pod template (core/v1 PodTemplateSpec) for
// the Flink pods: volumes, sidecars, init containers, environment from
// Secrets. Templates merge platform default (spec.flink.podTemplate), then
// job, then the job's environment override, with Kubernetes
// strategic-merge-patch semantics: maps merge key by key, containers,
// initContainers, volumes, env and volumeMounts merge by name, ports by
// containerPort, other lists are replaced. krm-flink's own additions merge
// last and never override a value of the template.
type PodTemplate = corev1.PodTemplateSpec

// MainContainer is the container the Flink operator runs Flink in.
const MainContainer = "flink-main-container"

// FlinkSecret gives Flink a Secret by reference: mounted as files
// (Flink's kubernetes.secrets), one key as an environment variable of the
// Flink container (kubernetes.env.secretKeyRef), or one key as the value of
// a Flink option (configKey), on JobManager and TaskManager pods alike. The
// value never enters the overlays.
type FlinkSecret struct {
	// Name of the Secret, in the job's namespace.
	// +required
	Name string `json:"name"`
	// MountPath mounts every key of the Secret as a file under this folder.
	// +optional
	MountPath string `json:"mountPath,omitempty"`
	// Env names the environment variable that gets Key's value.
	// +optional
	Env string `json:"env,omitempty"`
	// Key of the Secret for Env or ConfigKey.
	// +optional
	Key string `json:"key,omitempty"`
	// ConfigKey is a Flink option (security.ssl.internal.keystore-password)
	// that gets Key's value: the key becomes an environment variable of the
	// Flink container and the option a -D argument of the JobManager and
	// TaskManager start commands (kubernetes.jobmanager.entrypoint.args and
	// kubernetes.taskmanager.entrypoint.args, appended to yours), which Flink
	// runs through bash -c, so bash puts the value in. Native mode and
	// flinkVersion v1_17 or later only. The JobManager passes every option it
	// got this way on to the TaskManager pods it creates as a -D argument in
	// their spec: anyone who can read Pods in the namespace can read the
	// value (secretref.go).
	// +optional
	ConfigKey string `json:"configKey,omitempty"`
}

// Flink configuration keys krm-flink renders from spec.secrets.
const (
	SecretsMountKey = "kubernetes.secrets"
	SecretsEnvKey   = "kubernetes.env.secretKeyRef"
)

// SecretsConfiguration renders spec.secrets as Flink options, in the order
// written, over conf (the job's flinkConfiguration, the platform's
// included): kubernetes.secrets and kubernetes.env.secretKeyRef, and for
// configKey entries the entrypoint arguments appended to conf's own (see
// configKeyArgs). Keys without secrets are left out.
func SecretsConfiguration(secrets []FlinkSecret, conf map[string]string) map[string]string {
	var mounts, envs []string
	for _, s := range secrets {
		switch {
		case s.MountPath != "":
			mounts = append(mounts, s.Name+":"+s.MountPath)
		case s.Env != "":
			envs = append(envs, "env:"+s.Env+",secret:"+s.Name+",key:"+s.Key)
		case s.ConfigKey != "":
			envs = append(envs, "env:"+ConfigKeyEnv(s.ConfigKey)+",secret:"+s.Name+",key:"+s.Key)
		}
	}
	out := map[string]string{}
	if len(mounts) > 0 {
		out[SecretsMountKey] = strings.Join(mounts, ",")
	}
	if len(envs) > 0 {
		out[SecretsEnvKey] = strings.Join(envs, ";")
	}
	for k, v := range configKeyArgs(secrets, conf) {
		out[k] = v
	}
	return out
}

// envName is what Kubernetes accepts as an environment variable name that
// Flink's option syntax can carry (no commas, colons or semicolons).
var envName = regexp.MustCompile(`^[-._a-zA-Z][-._a-zA-Z0-9]*$`)

// secretKey is a Secret data key (Kubernetes' rule).
var secretKey = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)

// validateSecrets checks spec.secrets entries; confPath is the
// flinkConfiguration beside them, conf its keys.
func validateSecrets(path *field.Path, secrets []FlinkSecret, confPath *field.Path, conf map[string]string) field.ErrorList {
	var errs field.ErrorList
	mounts := map[string]int{}
	envs := map[string]int{}
	for i, s := range secrets {
		p := path.Index(i)
		errs = append(errs, dnsSubdomain(p.Child("name"), s.Name)...)
		if s.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), "the Secret's name, in the job's namespace"))
		}
		given := 0
		for _, v := range []string{s.MountPath, s.Env, s.ConfigKey} {
			if v != "" {
				given++
			}
		}
		switch {
		case given == 0:
			errs = append(errs, field.Required(p.Child("mountPath"),
				"mount the Secret (mountPath), put one of its keys in an environment variable (env and key) or in a Flink option (configKey and key)"))
		case given > 1:
			at, v := p.Child("env"), s.Env
			if s.ConfigKey != "" {
				at, v = p.Child("configKey"), s.ConfigKey
			}
			errs = append(errs, field.Invalid(at, v, "give one of mountPath, env or configKey per entry"))
		case s.MountPath != "":
			if !strings.HasPrefix(s.MountPath, "/") || strings.ContainsAny(s.MountPath, ",:;") {
				errs = append(errs, field.Invalid(p.Child("mountPath"), s.MountPath, "must be an absolute path without , : or ;"))
			}
			if s.Key != "" {
				errs = append(errs, field.Invalid(p.Child("key"), s.Key, "a mounted Secret has every key as a file; key goes with env or configKey"))
			}
			if j, dup := mounts[s.MountPath]; dup {
				errs = append(errs, field.Duplicate(p.Child("mountPath"), fmt.Sprintf("%s (also secrets[%d])", s.MountPath, j)))
			}
			mounts[s.MountPath] = i
		default:
			if s.Env != "" {
				if !envName.MatchString(s.Env) {
					errs = append(errs, field.Invalid(p.Child("env"), s.Env, "must be an environment variable name: letters, digits, _ . -, not starting with a digit"))
				}
				if j, dup := envs[s.Env]; dup {
					errs = append(errs, field.Duplicate(p.Child("env"), fmt.Sprintf("%s (also secrets[%d])", s.Env, j)))
				}
				envs[s.Env] = i
			}
			if s.Key == "" {
				errs = append(errs, field.Required(p.Child("key"), "the key of the Secret whose value goes into "+map[bool]string{true: "env", false: "configKey"}[s.Env != ""]))
			} else if !secretKey.MatchString(s.Key) {
				errs = append(errs, field.Invalid(p.Child("key"), s.Key, "must be a Secret key: letters, digits, _ . -"))
			}
		}
	}
	if len(secrets) > 0 {
		for _, k := range []string{SecretsMountKey, SecretsEnvKey} {
			if _, set := conf[k]; set {
				errs = append(errs, field.Invalid(confPath.Key(k), conf[k],
					path.String()+" renders this option: list the Secret there instead"))
			}
		}
	}
	return errs
}

// MergePodTemplates merges templates in order, each over the ones before,
// with strategic-merge-patch semantics (see PodTemplate). nil templates are
// skipped; the result is nil when all are.
func MergePodTemplates(templates ...*PodTemplate) (*PodTemplate, error) {
	var out []byte
	for _, t := range templates {
		if t == nil {
			continue
		}
		data, err := PodTemplateJSON(t)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = data
			continue
		}
		if out, err = strategicpatch.StrategicMergePatch(out, data, corev1.PodTemplateSpec{}); err != nil {
			return nil, err
		}
	}
	if out == nil {
		return nil, nil
	}
	merged := &PodTemplate{}
	if err := json.Unmarshal(out, merged); err != nil {
		return nil, err
	}
	return merged, nil
}

// PodTemplateJSON encodes a template with only the fields it sets: the
// core/v1 types encode some unset fields as null (spec.containers,
// metadata.creationTimestamp), which a strategic merge patch reads as
// "delete".
func PodTemplateJSON(t *PodTemplate) ([]byte, error) {
	m, err := PodTemplateMap(t)
	if err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

// PodTemplateMap is a template as plain JSON data holding only what was
// set: the core/v1 types encode an unset struct field as {} (metadata,
// resources) and some unset lists as null; both are left out. An empty
// object the user set (emptyDir: {}) is a pointer field and stays.
// nil for a nil template.
func PodTemplateMap(t *PodTemplate) (map[string]any, error) {
	if t == nil {
		return nil, nil
	}
	data, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	dropUnset(reflect.ValueOf(t).Elem(), m)
	return m, nil
}

// dropUnset walks data, the JSON encoding of v, and deletes the nulls and
// the empty objects of unset struct fields.
func dropUnset(v reflect.Value, data any) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			dropUnset(v.Elem(), data)
		}
	case reflect.Struct:
		m, ok := data.(map[string]any)
		if !ok {
			return // a type with its own encoding (Quantity, IntOrString, Time)
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			if name == "" && f.Anonymous {
				dropUnset(v.Field(i), m)
				continue
			}
			child, present := m[name]
			if !present {
				continue
			}
			if child == nil {
				delete(m, name)
				continue
			}
			dropUnset(v.Field(i), child)
			if cm, ok := child.(map[string]any); ok && len(cm) == 0 && f.Type.Kind() == reflect.Struct {
				delete(m, name)
			}
		}
	case reflect.Slice, reflect.Array:
		if l, ok := data.([]any); ok {
			for i := range min(len(l), v.Len()) {
				dropUnset(v.Index(i), l[i])
			}
		}
	case reflect.Map:
		if m, ok := data.(map[string]any); ok {
			for _, k := range v.MapKeys() {
				if c, ok := m[fmt.Sprint(k.Interface())]; ok {
					dropUnset(v.MapIndex(k), c)
				}
			}
		}
	}
}

// validatePodTemplateCredentials refuses credentials written into a pod
// template's environment: a variable whose name says it holds a credential
// and that has a value, or any value that looks like a key or token.
func validatePodTemplateCredentials(path *field.Path, t *PodTemplate) field.ErrorList {
	if t == nil {
		return nil
	}
	var errs field.ErrorList
	eachContainer(path, t, func(cp *field.Path, c corev1.Container) {
		for k, e := range c.Env {
			p := cp.Child("env").Index(k).Child("value")
			switch {
			case e.Value != "" && IsCredentialKey(e.Name):
				errs = append(errs, plainTextError(p, e.Name+" holds a credential",
					"it would be committed to Git; reference a Secret instead: "+
						"valueFrom: {secretKeyRef: {name: <secret>, key: <key>}} (or, for the Flink container, spec.secrets: [{name: <secret>, key: <key>, env: "+e.Name+"}])"))
			case SecretValueKind(e.Value) != "":
				errs = append(errs, plainTextError(p, "the value looks like "+SecretValueKind(e.Value), "reference a Secret instead: valueFrom: {secretKeyRef: {name: <secret>, key: <key>}}"))
			}
		}
	})
	return errs
}

// eachContainer calls fn with every init container and container of t
// and its path.
func eachContainer(path *field.Path, t *PodTemplate, fn func(p *field.Path, c corev1.Container)) {
	spec := path.Child("spec")
	for _, group := range []struct {
		name       string
		containers []corev1.Container
	}{{"initContainers", t.Spec.InitContainers}, {"containers", t.Spec.Containers}} {
		for i, c := range group.containers {
			fn(spec.Child(group.name).Index(i), c)
		}
	}
}

// podTemplates lists a spec's pod templates with their paths below it.
func podTemplates(s *JobFields) []namedTemplate {
	out := []namedTemplate{{[]string{"podTemplate"}, s.PodTemplate}}
	if s.JobManager != nil {
		out = append(out, namedTemplate{[]string{"jobManager", "podTemplate"}, s.JobManager.PodTemplate})
	}
	if s.TaskManager != nil {
		out = append(out, namedTemplate{[]string{"taskManager", "podTemplate"}, s.TaskManager.PodTemplate})
	}
	return slices.DeleteFunc(out, func(t namedTemplate) bool { return t.t == nil })
}

type namedTemplate struct {
	path []string
	t    *PodTemplate
}

// validatePodTemplate checks what krm-flink relies on in a template: named
// containers, volumes and variables (they merge by name) and no credential
// written into it.
func validatePodTemplate(path *field.Path, t *PodTemplate) field.ErrorList {
	if t == nil {
		return nil
	}
	var errs field.ErrorList
	eachContainer(path, t, func(p *field.Path, c corev1.Container) {
		if c.Name == "" {
			errs = append(errs, field.Required(p.Child("name"), "containers merge by name"))
		}
		for k, e := range c.Env {
			if e.Name == "" {
				errs = append(errs, field.Required(p.Child("env").Index(k).Child("name"), "variables merge by name"))
			}
		}
	})
	spec := path.Child("spec")
	for i, v := range t.Spec.Volumes {
		if v.Name == "" {
			errs = append(errs, field.Required(spec.Child("volumes").Index(i).Child("name"), "volumes merge by name"))
		}
		if reflect.ValueOf(v.VolumeSource).IsZero() {
			errs = append(errs, field.Required(spec.Child("volumes").Index(i), fmt.Sprintf("volume %q needs a source: emptyDir, configMap, secret, persistentVolumeClaim, projected, ...", v.Name)))
		}
	}
	return append(errs, validatePodTemplateCredentials(path, t)...)
}

// validateJobPodTemplates checks a job's templates once merged over the
// platform's (Default merged them).
func validateJobPodTemplates(spec *field.Path, s *JobFields, p *PlatformSpec) field.ErrorList {
	var errs field.ErrorList
	var platform []namedTemplate
	if p != nil {
		platform = podTemplates(&JobFields{PodTemplate: p.Flink.PodTemplate, JobManager: p.Flink.JobManager, TaskManager: p.Flink.TaskManager})
	}
	for _, t := range podTemplates(s) {
		path := spec.Child(t.path[0], t.path[1:]...)
		for _, pt := range platform {
			if slices.Equal(pt.path, t.path) {
				if _, err := MergePodTemplates(pt.t, t.t); err != nil {
					errs = append(errs, field.Invalid(path, field.OmitValueType{}, fmt.Sprintf("does not merge over spec.flink.%s of the platform: %v", strings.Join(t.path, "."), err)))
				}
			}
		}
		errs = append(errs, validatePodTemplate(path, t.t)...)
		errs = append(errs, validateTemplateImages(path, t.t, p != nil && p.RequireDigests)...)
	}
	return errs
}

// validateTemplateImages checks the image references of a template's
// containers, pinned by digest when the platform requires it.
func validateTemplateImages(path *field.Path, t *PodTemplate, requireDigest bool) field.ErrorList {
	var errs field.ErrorList
	for i, c := range t.Spec.InitContainers {
		errs = append(errs, ValidateImage(path.Child("spec", "initContainers").Index(i).Child("image"), c.Image, requireDigest)...)
	}
	for i, c := range t.Spec.Containers {
		errs = append(errs, ValidateImage(path.Child("spec", "containers").Index(i).Child("image"), c.Image, requireDigest)...)
	}
	return errs
}
