package v1alpha1

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// sessionRefused are the JobFields keys (JSON names) that describe a job,
// refused on a session cluster: its jobs are FlinkSessionJobSpecs. Keys are
// matched by name, so fields added to JobFields later are caught once named here.
var sessionRefused = []string{
	"jarURI", "entryClass", "args", "parallelism", "upgradeMode", "state",
	"initialSavepointPath", "allowNonRestoredState",
	"savepointTriggerNonce", "checkpointTriggerNonce", "savepointRedeployNonce", "autoscalerResetNonce",
	"autoscaler", "snapshots", "blueGreen",
}

// sessionOnlyErrors refuses the job-only fields a FlinkSessionSpec sets.
func sessionOnlyErrors(spec *field.Path, s *JobFields) field.ErrorList {
	data, err := json.Marshal(s)
	if err != nil {
		return field.ErrorList{field.InternalError(spec, err)}
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return field.ErrorList{field.InternalError(spec, err)}
	}
	var errs field.ErrorList
	for _, k := range sessionRefused {
		if _, ok := keys[k]; ok {
			errs = append(errs, field.Forbidden(spec.Child(k),
				"a "+KindSession+" is a session cluster without a job of its own: set "+k+" on a "+KindSessionJob+" that names this cluster in spec.session"))
		}
	}
	return errs
}

// ValidateSnapshots checks a job's snapshots against the operator release
// that will run them: FlinkStateSnapshot exists from operator 1.10.
// jobName names the objects <jobName>-<name>, which is also their
// app.kubernetes.io/instance label: 63 characters at most.
func ValidateSnapshots(path *field.Path, jobName string, snaps []Snapshot, operatorVersion string) field.ErrorList {
	if len(snaps) == 0 {
		return nil
	}
	if !OperatorAtLeast(operatorVersion, SnapshotOperatorVersion) {
		return field.ErrorList{field.Forbidden(path, fmt.Sprintf(
			"FlinkStateSnapshot needs the Flink operator %s or later and the platform runs %s (spec.components.flink-operator.version on the FlinkPlatform); "+
				"with this operator trigger a savepoint with spec.savepointTriggerNonce and start from one with spec.initialSavepointPath instead",
			SnapshotOperatorVersion, operatorVersion))}
	}
	var errs field.ErrorList
	seen := map[string]bool{}
	for i, s := range snaps {
		p := path.Index(i)
		switch {
		case s.Name == "":
			errs = append(errs, field.Required(p.Child("name"), "the object is named <job>-<name>"))
		case seen[s.Name]:
			errs = append(errs, field.Duplicate(p.Child("name"), s.Name))
		default:
			for _, msg := range validation.IsDNS1123Label(s.Name) {
				errs = append(errs, field.Invalid(p.Child("name"), s.Name, msg))
			}
			if s.ObjectName != "" {
				for _, msg := range validation.IsDNS1123Label(s.ObjectName) {
					errs = append(errs, field.Invalid(p.Child("objectName"), s.ObjectName, msg))
				}
			} else if full := SnapshotObjectName(jobName, s.Name); len(full) > validation.DNS1123LabelMaxLength {
				errs = append(errs, field.Invalid(p.Child("name"), s.Name, fmt.Sprintf(
					"the FlinkStateSnapshot %s is longer than %d characters (its app.kubernetes.io/instance label): shorten the name", full, validation.DNS1123LabelMaxLength)))
			}
		}
		seen[s.Name] = true
		errs = append(errs, oneOf(p.Child("type"), []string{s.Type}, SnapshotSavepoint, SnapshotCheckpoint)...)
		if s.Type == SnapshotCheckpoint {
			for _, f := range []struct {
				name string
				set  bool
			}{{"path", s.Path != ""}, {"alreadyExists", s.AlreadyExists != nil}, {"disposeOnDelete", s.DisposeOnDelete != nil}, {"formatType", s.FormatType != ""}} {
				if f.set {
					errs = append(errs, field.Forbidden(p.Child(f.name), "a checkpoint snapshot takes only name and backoffLimit"))
				}
			}
		}
		if s.AlreadyExists != nil && *s.AlreadyExists && s.Path == "" {
			errs = append(errs, field.Required(p.Child("path"), "alreadyExists registers the existing savepoint at path"))
		}
		if s.FormatType != "" {
			errs = append(errs, oneOf(p.Child("formatType"), []string{s.FormatType}, "CANONICAL", "NATIVE")...)
		}
		if s.BackoffLimit != nil && *s.BackoffLimit < -1 {
			errs = append(errs, field.Invalid(p.Child("backoffLimit"), *s.BackoffLimit, "must be -1 (retry forever) or more"))
		}
		errs = append(errs, validateNoSecretValue(p.Child("path"), s.Path)...)
	}
	return errs
}

// snapshotBlueGreenErrors checks a job's snapshots and blue/green option.
func snapshotBlueGreenErrors(spec *field.Path, jobName string, s *JobFields, operatorVersion string) field.ErrorList {
	errs := ValidateSnapshots(spec.Child("snapshots"), jobName, s.Snapshots, operatorVersion)
	errs = append(errs, validateBlueGreen(spec.Child("blueGreen"), s.BlueGreen, operatorVersion)...)
	if s.BlueGreen != nil && len(s.Snapshots) > 0 && len(errs) == 0 {
		errs = append(errs, field.Forbidden(spec.Child("snapshots"),
			"a blue/green job runs as FlinkDeployments the operator creates and names itself, which a FlinkStateSnapshot cannot reference; drop spec.snapshots or spec.blueGreen"))
	}
	return errs
}

// validateBlueGreen checks a job's blue/green option: the
// FlinkBlueGreenDeployment exists from operator 1.14.
func validateBlueGreen(path *field.Path, bg *BlueGreen, operatorVersion string) field.ErrorList {
	if bg == nil {
		return nil
	}
	if !OperatorAtLeast(operatorVersion, BlueGreenOperatorVersion) {
		return field.ErrorList{field.Forbidden(path, fmt.Sprintf(
			"FlinkBlueGreenDeployment needs the Flink operator %s or later and the platform runs %s (spec.components.flink-operator.version on the FlinkPlatform)",
			BlueGreenOperatorVersion, operatorVersion))}
	}
	var errs field.ErrorList
	errs = append(errs, validateNoCredentials(path.Child("configuration"), bg.Configuration, true, configKeyHint)...)
	if in := bg.Ingress; in != nil && in.Template == "" {
		errs = append(errs, field.Required(path.Child("ingress", "template"), `the host template, e.g. "{{name}}.{{namespace}}.example.com"`))
	}
	return errs
}

// Default fills a session job's defaults.
func (j *FlinkSessionJobSpec) Default() {
	s := &j.Spec.SessionJobFields
	s.defaultRun()
	for i := range s.Snapshots {
		s.Snapshots[i].Type = firstNonEmpty(s.Snapshots[i].Type, SnapshotSavepoint)
	}
}

// Validate checks a session job after its environment override is merged
// and Default ran. That its session cluster exists, and the savepoint or
// checkpoint directory its upgrade mode needs (which the cluster may set),
// is checked where the cluster is known.
func (j *FlinkSessionJobSpec) Validate(operatorVersion string) field.ErrorList {
	var errs field.ErrorList
	errs = append(errs, validateTypeMeta(j.APIVersion, j.Kind, KindSessionJob)...)
	meta := field.NewPath("metadata")
	if j.Metadata.Name == "" {
		errs = append(errs, field.Required(meta.Child("name"), ""))
	} else {
		// A DNS label, not a subdomain: the name is also the object's app.kubernetes.io/name label.
		errs = append(errs, dnsLabel(meta.Child("name"), j.Metadata.Name)...)
	}
	if j.Metadata.Namespace == "" {
		errs = append(errs, field.Required(meta.Child("namespace"), "the namespace of its session cluster"))
	} else {
		errs = append(errs, dnsLabel(meta.Child("namespace"), j.Metadata.Namespace)...)
	}
	errs = append(errs, (&FlinkJobSpec{Metadata: j.Metadata}).validateJobMetadata(meta)...)
	s := &j.Spec.SessionJobFields
	spec := field.NewPath("spec")
	if s.Session == "" {
		errs = append(errs, field.Required(spec.Child("session"), "the name of the "+KindSession+" (same namespace) the job runs on"))
	}
	if s.Owner == "" {
		errs = append(errs, field.Required(spec.Child("owner"), "the owning team"))
	} else {
		for _, msg := range validation.IsValidLabelValue(s.Owner) {
			errs = append(errs, field.Invalid(spec.Child("owner"), s.Owner, "becomes the krm-flink.io/owner label: "+msg))
		}
	}
	switch u, err := url.Parse(s.JarURI); {
	case s.JarURI == "":
		errs = append(errs, field.Required(spec.Child("jarURI"), "e.g. https://repo1.maven.org/maven2/org/example/job/1.0/job-1.0.jar or s3://bucket/job.jar"))
	case err != nil || u.Scheme == "":
		errs = append(errs, field.Invalid(spec.Child("jarURI"), s.JarURI, "must be a URI with a scheme (https, s3, local...): the session cluster downloads the jar"))
	}
	if s.Parallelism != nil && *s.Parallelism < 1 {
		errs = append(errs, field.Invalid(spec.Child("parallelism"), *s.Parallelism, "must be at least 1"))
	}
	errs = append(errs, oneOf(spec.Child("upgradeMode"), []string{s.UpgradeMode}, "stateless", "savepoint", "last-state")...)
	errs = append(errs, oneOf(spec.Child("state"), []string{s.State}, "running", "suspended")...)
	errs = append(errs, validateFlinkConfiguration(spec.Child("flinkConfiguration"), s.FlinkConfiguration)...)
	errs = append(errs, validateNoCredentials(spec.Child("flinkConfiguration"), s.FlinkConfiguration, true, sessionJobHint)...)
	for i, a := range s.Args {
		errs = append(errs, validateNoSecretValue(spec.Child("args").Index(i), a)...)
	}
	for _, f := range [][2]string{{"jarURI", s.JarURI}, {"entryClass", s.EntryClass}, {"repo", s.Repo}, {"initialSavepointPath", s.InitialSavepointPath}} {
		errs = append(errs, validateNoSecretValue(spec.Child(f[0]), f[1])...)
	}
	if s.SavepointRedeployNonce != nil && !OperatorAtLeast(operatorVersion, savepointRedeployOperatorVersion) {
		errs = append(errs, field.Forbidden(spec.Child("savepointRedeployNonce"),
			fmt.Sprintf("needs the Flink operator %s or later and the platform runs %s (spec.components.flink-operator.version on the FlinkPlatform)", savepointRedeployOperatorVersion, operatorVersion)))
	}
	errs = append(errs, ValidateSnapshots(spec.Child("snapshots"), j.Metadata.Name, s.Snapshots, operatorVersion)...)
	return errs
}

// UpgradeModeDirErrors checks that a job's upgrade mode finds the directory
// it needs in its effective configuration conf (for a session job, the
// cluster's and its own).
func UpgradeModeDirErrors(spec *field.Path, upgradeMode string, conf map[string]string) field.ErrorList {
	switch upgradeMode {
	case "last-state":
		if conf["state.checkpoints.dir"] == "" && conf["execution.checkpointing.dir"] == "" {
			return field.ErrorList{field.Required(spec.Child("flinkConfiguration").Key("state.checkpoints.dir"),
				"upgradeMode last-state needs a checkpoint directory (on the job or its session cluster)")}
		}
	case "savepoint":
		if conf["state.savepoints.dir"] == "" && conf["execution.checkpointing.savepoint-dir"] == "" {
			return field.ErrorList{field.Required(spec.Child("flinkConfiguration").Key("state.savepoints.dir"),
				"upgradeMode savepoint needs a savepoint directory (on the job or its session cluster)")}
		}
	}
	return nil
}

// SnapshotObjectName is the FlinkStateSnapshot name of a job's snapshot.
func SnapshotObjectName(job, snapshot string) string {
	return strings.Join([]string{job, snapshot}, "-")
}
