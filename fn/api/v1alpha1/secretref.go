package v1alpha1

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// How a Flink option gets a Secret's value without the value being written
// anywhere (spec.secrets[].configKey). The facts, checked in the Flink
// sources:
//
//   - In native mode Flink starts the JobManager and each TaskManager as
//     bash -c "<script> ... <entrypoint args>": CmdJobManagerDecorator and
//     CmdTaskManagerDecorator build it with
//     KubernetesUtils.getStartCommandWithBashWrapper (flink-kubernetes), and
//     the image's docker-entrypoint.sh runs it as it is (pass-through mode,
//     apache/flink-docker). The options kubernetes.jobmanager.entrypoint.args
//     and kubernetes.taskmanager.entrypoint.args (KubernetesConfigOptions)
//     came with FLINK-29123 (apache/flink#20710, merged to master from
//     August 2022 on, so in 1.17 at the latest; whether 1.16 has them was not
//     confirmed): krm-flink requires Flink 1.17.
//   - So -D<option>="${VAR}" there is expanded by bash from VAR, an
//     environment variable set from the Secret with
//     kubernetes.env.secretKeyRef, and the processes load -D dynamic
//     properties over the configuration file
//     (GlobalConfiguration.loadConfiguration(configDir, dynamicProperties)).
//   - The JobManager's resource manager starts each TaskManager with every
//     option whose value differs from the configuration file as a -D
//     argument of the TaskManager pod (KubernetesResourceManagerDriver,
//     BootstrapTools.getDynamicPropertiesAsString): the value of an option
//     given this way is in the spec of every TaskManager pod, in clear text
//     (and the TaskManagers get it that way even without their own
//     entrypoint argument).
//   - Flink's log of its program arguments hides those whose key names a
//     credential (EnvironmentInformation.logEnvironmentInfo,
//     GlobalConfiguration.isSensitive: password, secret, ...; FLINK-19523):
//     any other option is logged with its value. Whether the "Loading
//     dynamic configuration property" lines (FLINK-28731) hide them too was
//     not confirmed.
//   - The operator's standalone mode starts Flink without bash -c and
//     without the entrypoint options (CmdStandaloneJobManagerDecorator,
//     flink-kubernetes-operator release-1.15.0).
const (
	JobManagerEntrypointArgsKey  = "kubernetes.jobmanager.entrypoint.args"
	TaskManagerEntrypointArgsKey = "kubernetes.taskmanager.entrypoint.args"
	// ConfigKeyFlinkVersion is the first flinkVersion configKey works with.
	ConfigKeyFlinkVersion = "v1_17"
	// ConfigKeyEnvPrefix starts the environment variables krm-flink
	// derives for configKey entries.
	ConfigKeyEnvPrefix = "KRM_FLINK_CONF_"
)

// OperatorReadKeys are the Flink options the operator itself reads from a
// FlinkDeployment's configuration: its REST client to the JobManager takes
// the REST SSL settings from it when REST SSL is on, unless the operator
// has a truststore of its own, which replaces them
// (AbstractFlinkService.getOperatorRestConfig, release-1.15.0). Given by
// reference, the operator sees no value.
var OperatorReadKeys = map[string]bool{
	"security.ssl.rest.truststore-password": true,
	"security.ssl.rest.keystore-password":   true,
	"security.ssl.rest.key-password":        true,
	// Flink's fallback keys of the three above.
	"security.ssl.truststore-password": true,
	"security.ssl.keystore-password":   true,
	"security.ssl.key-password":        true,
}

// flinkKey is what a Flink option key is made of; nothing bash would read.
var flinkKey = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// ConfigKeyEnv is the environment variable that carries configKey's value:
// the prefix and the key in upper case, every other character an underscore
// (security.ssl.key-password: KRM_FLINK_CONF_SECURITY_SSL_KEY_PASSWORD).
func ConfigKeyEnv(configKey string) string {
	return ConfigKeyEnvPrefix + strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, configKey)
}

// configKeyArgs appends -D<configKey>="${VAR}" for every configKey entry to
// conf's entrypoint arguments of both roles; nil without configKey entries.
// The double quotes keep a value with spaces or glob characters one word.
func configKeyArgs(secrets []FlinkSecret, conf map[string]string) map[string]string {
	var args []string
	for _, s := range secrets {
		if s.ConfigKey != "" && s.MountPath == "" && s.Env == "" {
			args = append(args, fmt.Sprintf(`-D%s="${%s}"`, s.ConfigKey, ConfigKeyEnv(s.ConfigKey)))
		}
	}
	if len(args) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, k := range []string{JobManagerEntrypointArgsKey, TaskManagerEntrypointArgsKey} {
		out[k] = strings.TrimSpace(conf[k] + " " + strings.Join(args, " "))
	}
	return out
}

// ConfigKeys lists the job's configKey entries' options, sorted.
func ConfigKeys(secrets []FlinkSecret) []string {
	var out []string
	for _, s := range secrets {
		if s.ConfigKey != "" {
			out = append(out, s.ConfigKey)
		}
	}
	sort.Strings(out)
	return out
}

// validateConfigKeys checks the configKey entries of a merged job: an
// option Flink can take this way, once, in native mode on a Flink that has
// the entrypoint options, and an environment variable no other env of the
// Flink container has. platformConf tells the platform's keys from the
// job's in messages.
func validateConfigKeys(spec *field.Path, s *JobFields, platformConf map[string]string) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]int{}
	envs := map[string]int{}
	userEnvs := userEnvNames(s)
	for i, sec := range s.Secrets {
		if sec.ConfigKey == "" {
			continue
		}
		p := spec.Child("secrets").Index(i).Child("configKey")
		k := sec.ConfigKey
		switch {
		case !flinkKey.MatchString(k):
			errs = append(errs, field.Invalid(p, k, "must be a Flink option key: letters, digits, . _ -, starting with a letter or digit"))
			continue
		case renderedKeys[k]:
			errs = append(errs, field.Invalid(p, k, "krm-flink renders this option itself (from spec.secrets); it cannot come from a Secret"))
			continue
		case contains(reservedFlinkKeys, k):
			errs = append(errs, field.Invalid(p, k, "the operator sets this option itself"))
			continue
		}
		if j, dup := seen[k]; dup {
			errs = append(errs, field.Duplicate(p, fmt.Sprintf("%s (also secrets[%d].configKey)", k, j)))
		}
		seen[k] = i
		env := ConfigKeyEnv(k)
		if j, clash := envs[env]; clash && s.Secrets[j].ConfigKey != k {
			errs = append(errs, field.Invalid(p, k, fmt.Sprintf("gives the same environment variable, %s, as secrets[%d].configKey %s: krm-flink names it after the option with every character but letters and digits an underscore", env, j, s.Secrets[j].ConfigKey)))
		}
		envs[env] = i
		if at, clash := userEnvs[env]; clash {
			errs = append(errs, field.Invalid(p, k, fmt.Sprintf("krm-flink passes its value in the environment variable %s, which %s sets too: rename that variable", env, at)))
		}
		if v, set := s.FlinkConfiguration[k]; set {
			where := spec.Child("flinkConfiguration").String()
			if pv, fromPlatform := platformConf[k]; fromPlatform && pv == v {
				where = "the platform's spec.flink.flinkConfiguration"
			}
			errs = append(errs, field.Invalid(p, k, fmt.Sprintf("%s sets %s too: give the option in one place, the Secret (and remove it from flinkConfiguration) or flinkConfiguration", where, k)))
		}
		if s.Mode == ModeStandalone {
			errs = append(errs, field.Invalid(p, k, "needs mode native ("+spec.Child("mode").String()+" is standalone): in standalone mode the operator starts Flink without bash -c and without Flink's kubernetes.*.entrypoint.args, so nothing would put the Secret's value into the option"))
		}
		if s.FlinkVersion != "" && compareFlinkVersions(s.FlinkVersion, ConfigKeyFlinkVersion) < 0 {
			errs = append(errs, field.Invalid(p, k, fmt.Sprintf("needs %s %s or later (it is %s): Flink passes a Secret's value to an option through %s and %s, which Flink 1.17 is the first release known to have",
				spec.Child("flinkVersion"), ConfigKeyFlinkVersion, s.FlinkVersion, JobManagerEntrypointArgsKey, TaskManagerEntrypointArgsKey)))
		}
	}
	return errs
}

// renderedKeys are options krm-flink renders from spec.secrets.
var renderedKeys = map[string]bool{
	SecretsMountKey: true, SecretsEnvKey: true,
	JobManagerEntrypointArgsKey: true, TaskManagerEntrypointArgsKey: true,
}

// userEnvNames maps the environment variables a job sets itself in the
// Flink container (spec.secrets[].env, the flink-main-container of its pod
// templates) to where each is set.
func userEnvNames(s *JobFields) map[string]string {
	out := map[string]string{}
	for i, sec := range s.Secrets {
		if sec.Env != "" {
			out[sec.Env] = fmt.Sprintf("spec.secrets[%d].env", i)
		}
	}
	for _, t := range podTemplates(s) {
		for i, c := range t.t.Spec.Containers {
			if c.Name != MainContainer {
				continue
			}
			for k, e := range c.Env {
				if _, seen := out[e.Name]; !seen {
					out[e.Name] = fmt.Sprintf("spec.%s.spec.containers[%d].env[%d]", strings.Join(t.path, "."), i, k)
				}
			}
		}
	}
	return out
}

// target is what a spec.secrets entry gives the Secret to: the folder, the
// environment variable or the Flink option; two entries of one target
// cannot both be rendered.
func (s FlinkSecret) target() string {
	switch {
	case s.MountPath != "":
		return "mountPath:" + s.MountPath
	case s.Env != "":
		return "env:" + s.Env
	}
	return "configKey:" + s.ConfigKey
}

// MergeSecrets is a job's spec.secrets over the platform's
// spec.flink.secrets: the job's entries, in order (so their indices stay
// those the job wrote), then the platform's whose target no entry of the
// job has. nil when both are empty.
func MergeSecrets(platform, job []FlinkSecret) []FlinkSecret {
	if len(platform) == 0 {
		return job
	}
	out := append([]FlinkSecret(nil), job...)
	own := map[string]bool{}
	for _, s := range job {
		own[s.target()] = true
	}
	for _, s := range platform {
		if !own[s.target()] {
			out = append(out, s)
		}
	}
	return out
}

// validatePlatformSecrets checks spec.flink.secrets as the platform's Flink
// defaults alone would render them; each job is checked again with its own.
func validatePlatformSecrets(flink *field.Path, f *FlinkDefaults) field.ErrorList {
	errs := validateSecrets(flink.Child("secrets"), f.Secrets, flink.Child("flinkConfiguration"), f.FlinkConfiguration)
	fields := &JobFields{ClusterSettings: ClusterSettings{Mode: f.Mode, FlinkVersion: f.FlinkVersion}, Secrets: f.Secrets,
		FlinkConfiguration: f.FlinkConfiguration, PodTemplate: f.PodTemplate, JobManager: f.JobManager, TaskManager: f.TaskManager}
	return append(errs, validateConfigKeys(flink, fields, f.FlinkConfiguration)...)
}
