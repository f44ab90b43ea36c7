package importer

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/component/flinkjob"
	"github.com/krm-flink/krm-flink/internal/gitops"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/problem"
)

// fieldMapping copies one FlinkDeployment field (a path under spec) into
// one FlinkJobSpec field (a dotted JSON path under spec), as written.
// A FlinkDeployment field no mapping copies is not in the imported spec, and
// the round trip (Compare) reports it as dropped: adding a line here is all
// it takes to import a field once FlinkJobSpec can express it.
type fieldMapping struct {
	from []string
	to   string
	// convert, when set, turns the value into the job's; norm is the
	// whole normalized FlinkDeployment.
	convert func(v any, norm map[string]any) any
}

// mappings is the table of FlinkDeployment fields FlinkJobSpec expresses
// one to one. flinkConfiguration and the pod template annotations are
// mapped by mapConfiguration and mapPodAnnotations: they split into
// several fields, and leave out what the platform renders. A field the
// input API gains is one more line.
var mappings = slices.Concat([]fieldMapping{
	{[]string{"image"}, "image", nil},
	{[]string{"imagePullPolicy"}, "imagePullPolicy", nil},
	{[]string{"flinkVersion"}, "flinkVersion", nil},
	{[]string{"serviceAccount"}, "serviceAccount", nil},
	{[]string{"ingress"}, "ingress", nil},
	{[]string{"logConfiguration"}, "logConfiguration", nil},
	{[]string{"mode"}, "mode", nil},
}, jobMappings, []fieldMapping{
	{[]string{"job", "autoscalerResetNonce"}, "autoscalerResetNonce", nil},
	{[]string{"jobManager", "replicas"}, "jobManager.replicas", nil},
	{[]string{"jobManager", "resource"}, "jobManager.resource", nil},
	{[]string{"taskManager", "replicas"}, "taskManager.replicas", nil},
	{[]string{"taskManager", "resource"}, "taskManager.resource", nil},
	{[]string{"podTemplate"}, "podTemplate", withoutPlatformParts},
	// The operator merges the role templates over podTemplate; krm-flink
	// renders them as the job writes them.
	{[]string{"jobManager", "podTemplate"}, "jobManager.podTemplate", nil},
	{[]string{"taskManager", "podTemplate"}, "taskManager.podTemplate", nil},
	// A FlinkBlueGreenDeployment is read as its template's FlinkDeployment
	// with these two beside (blueGreenView).
	{[]string{"blueGreen", "configuration"}, "blueGreen.configuration", toStringMap},
	{[]string{"blueGreen", "ingress"}, "blueGreen.ingress", nil},
})

// jobMappings are the rows a FlinkDeployment with a job and a
// FlinkSessionJob share: spec.restartNonce and the operator's job spec
// (spec.job), which both kinds' input fields express alike.
var jobMappings = []fieldMapping{
	{[]string{"restartNonce"}, "restartNonce", nil},
	{[]string{"job", "jarURI"}, "jarURI", nil},
	{[]string{"job", "entryClass"}, "entryClass", nil},
	{[]string{"job", "args"}, "args", nil},
	{[]string{"job", "parallelism"}, "parallelism", nil},
	{[]string{"job", "upgradeMode"}, "upgradeMode", nil},
	{[]string{"job", "state"}, "state", nil},
	{[]string{"job", "savepointTriggerNonce"}, "savepointTriggerNonce", nil},
	{[]string{"job", "checkpointTriggerNonce"}, "checkpointTriggerNonce", nil},
	{[]string{"job", "savepointRedeployNonce"}, "savepointRedeployNonce", nil},
	{[]string{"job", "initialSavepointPath"}, "initialSavepointPath", nil},
	{[]string{"job", "allowNonRestoredState"}, "allowNonRestoredState", nil},
}

// Configuration keys import maps to fields of their own.
const (
	taskSlotsKey      = "taskmanager.numberOfTaskSlots"
	autoscalerPrefix  = "job.autoscaler."
	autoscalerEnabled = autoscalerPrefix + "enabled"
)

// buildSpec maps a normalized FlinkDeployment onto FlinkJobSpec fields,
// leaving out what the platform p provides. owner is the --owner default.
// roles are the IAM roles of the ServiceAccounts read beside the objects.
func buildSpec(o *Object, norm map[string]any, p *api.PlatformSpec, owner string, roles map[string]string) (*api.FlinkJobSpec, problem.List) {
	spec, _ := norm["spec"].(map[string]any)
	fields := mapFields(spec, norm, mappings)
	conf := map[string]string{}
	if c, ok := spec["flinkConfiguration"].(map[string]any); ok {
		for k, v := range c {
			conf[k] = text(v)
		}
	}
	mapConfiguration(conf, fields, p)
	podAnnotations, _ := lookupMap(spec, "podTemplate", "metadata", "annotations")
	mapPodAnnotations(podAnnotations, fields, p)

	j := &api.FlinkJobSpec{APIVersion: api.APIVersion, Kind: api.KindJob}
	if _, ok := spec["job"]; !ok {
		j.Kind = api.KindSession
	}
	if probs := decodeMapped(o, fields, mappings, &j.Spec.JobFields, func() any { return &api.JobFields{} }); len(probs) > 0 {
		return nil, probs
	}
	meta := metadata(norm)
	namespace, _ := meta["namespace"].(string)
	mapIdentity(&j.Spec.JobFields, p, roles, namespace)
	minimize(&j.Spec.JobFields, p)

	j.Metadata.Name, _ = meta["name"].(string)
	j.Metadata.Namespace = namespace
	labels := stringMap(meta["labels"])
	annotations := stringMap(meta["annotations"])
	tags := datadogTagsOf(podAnnotations)
	j.Spec.Owner = firstNonEmpty(labels[OwnerLabel], tags["owner"], owner)
	j.Spec.Repo = tags["repo"]
	j.Metadata.Labels = jobLabels(labels)
	j.Metadata.Annotations = jobAnnotations(annotations)
	// A FlinkDeployment krm-flink rendered for a job that opted out of the
	// restricted Pod Security Standard says so in an annotation of its own.
	if level := annotations[podSecurityAnnotation]; level != "" {
		j.Spec.PodSecurity = level
	}
	if j.Spec.Owner == "" {
		// The job is still rendered and compared under a stand-in owner,
		// so the run reports its other problems too; it is never written.
		j.Spec.Owner = missingOwner
		return j, problem.List{problem.Errorf(o.where(), o.Ref(), "metadata.labels["+OwnerLabel+"]",
			"no owner: %s requires one; label the %s %s, put an owner in its pod template's %s annotation, or run import with --owner", j.Kind, o.Kind(), OwnerLabel, datadogTags)}
	}
	return j, nil
}

// mapIdentity gives the job the IAM role of its ServiceAccount, when one
// was read, and turns the S3 settings krm-flink renders for that role into
// s3WebIdentity.
func mapIdentity(s *api.JobFields, p *api.PlatformSpec, roles map[string]string, namespace string) {
	name := inheritedServiceAccount(&p.Flink)
	if s.ServiceAccount != nil && s.ServiceAccount.Name != "" {
		name = s.ServiceAccount.Name
	}
	role := roles[namespace+"/"+name]
	if role == "" {
		return
	}
	s.ServiceAccount = &api.ServiceAccountRef{Name: name, IAMRoleArn: role}
	for k, v := range api.S3WebIdentityConfiguration() {
		if s.FlinkConfiguration[k] != v {
			return
		}
	}
	for k := range api.S3WebIdentityConfiguration() {
		delete(s.FlinkConfiguration, k)
	}
	if len(s.FlinkConfiguration) == 0 {
		s.FlinkConfiguration = nil
	}
	if p.Flink.S3WebIdentity == nil || !*p.Flink.S3WebIdentity {
		on := true
		s.S3WebIdentity = &on
	}
}

// decodeMapped decodes the fields a mapping table filled into v, strictly.
// Each field is decoded alone first (into a fresh empty()), so every value
// of a wrong type is reported at the field of o it came from, not only the
// first.
func decodeMapped(o *Object, fields map[string]any, table []fieldMapping, v any, empty func() any) problem.List {
	var probs problem.List
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		data, err := json.Marshal(map[string]any{k: fields[k]})
		if err != nil {
			return problem.List{problem.Errorf(o.where(), o.Ref(), "", "internal error: %v", err)}
		}
		for _, p := range input.StrictDecode(data, empty(), o.where(), o.Ref(), "spec") {
			p.Field = sourcePath(p.Field, table)
			p.Message = "cannot be imported: " + p.Message
			probs = append(probs, p)
			delete(fields, k)
		}
	}
	if len(probs) > 0 {
		return probs
	}
	data, err := json.Marshal(fields)
	if err != nil {
		return problem.List{problem.Errorf(o.where(), o.Ref(), "", "internal error: %v", err)}
	}
	return input.StrictDecode(data, v, o.where(), o.Ref(), "spec")
}

// mapFields copies the fields of spec the table maps into a new map of
// the input kind's fields.
func mapFields(spec map[string]any, norm map[string]any, table []fieldMapping) map[string]any {
	fields := map[string]any{}
	for _, m := range table {
		v, ok, _ := unstructured.NestedFieldNoCopy(spec, m.from...)
		if ok && m.convert != nil {
			v = m.convert(v, norm)
		}
		if ok && v != nil {
			put(fields, v, strings.Split(m.to, ".")...)
		}
	}
	return fields
}

// sourcePath turns the path of an input field a mapping filled
// (spec.jobManager.resource.cpu) into the operator object's it came from.
func sourcePath(jobPath string, table []fieldMapping) string {
	rest, ok := strings.CutPrefix(jobPath, "spec.")
	if !ok {
		return jobPath
	}
	for _, m := range table {
		if rest == m.to || strings.HasPrefix(rest, m.to+".") {
			return "spec." + strings.Join(m.from, ".") + strings.TrimPrefix(rest, m.to)
		}
	}
	return jobPath
}

// podSecurityAnnotation marks a FlinkDeployment rendered for a job's
// spec.podSecurity opt-out.
const podSecurityAnnotation = api.PodSecurityAnnotation

// missingOwner stands in for an owner import could not find.
const missingOwner = "missing-owner"

// OwnerLabel on a FlinkDeployment names the owner of its imported job
// (krm-flink renders it on every job); without it the owner tag of the pod
// template's ad.datadoghq.com/tags annotation does.
const OwnerLabel = api.OwnedKeyPrefix + "owner"

// mapConfiguration moves flinkConfiguration into fields: the task slots and
// the autoscaler into their own fields, the rest into flinkConfiguration,
// leaving out the Prometheus reporter krm-flink renders and keys equal to
// the platform's.
func mapConfiguration(conf map[string]string, fields map[string]any, p *api.PlatformSpec) {
	platformConf := p.Flink.FlinkConfiguration
	delete(conf, flinkjob.ReporterFactoryKey)
	delete(conf, flinkjob.ReporterPortKey)
	if v, ok := conf[taskSlotsKey]; ok {
		inherited := platformConf[taskSlotsKey]
		if p.Flink.TaskSlots != nil {
			inherited = strconv.Itoa(int(*p.Flink.TaskSlots))
		}
		n, err := strconv.Atoi(v)
		switch {
		case v == inherited:
			delete(conf, taskSlotsKey)
		case err == nil:
			fields["taskSlots"] = n
			delete(conf, taskSlotsKey)
		}
	}
	if conf[autoscalerEnabled] == "true" {
		settings := map[string]string{}
		for k, v := range conf {
			if name, ok := strings.CutPrefix(k, autoscalerPrefix); ok {
				delete(conf, k)
				if k != autoscalerEnabled && platformConf[k] != v {
					settings[name] = v
				}
			}
		}
		a := map[string]any{"enabled": true}
		if len(settings) > 0 {
			a["settings"] = settings
		}
		fields["autoscaler"] = a
	}
	for k, v := range conf {
		if pv, ok := platformConf[k]; ok && pv == v {
			delete(conf, k)
		}
	}
	if len(conf) > 0 {
		fields["flinkConfiguration"] = conf
	}
}

// mapPodAnnotations reads the pod template annotations a job sets through
// its own fields: karpenter.sh/do-not-disrupt is nodes.doNotDisrupt, and
// the Datadog include-list's regexes beyond the platform's are metrics.
func mapPodAnnotations(annotations map[string]any, fields map[string]any, p *api.PlatformSpec) {
	if annotations[doNotDisrupt] == "true" {
		fields["nodes"] = map[string]any{"doNotDisrupt": true}
	}
	var extra []string
	for _, m := range datadogMetricsOf(annotations) {
		if !slices.Contains(p.Metrics.Datadog.Metrics, m) && !slices.Contains(extra, m) {
			extra = append(extra, m)
		}
	}
	if len(extra) > 0 {
		fields["metrics"] = extra
	}
}

// datadogMetricsOf reads the include-list of the OpenMetrics check
// instance in the v1 (instances) or v2 (checks) autodiscovery annotation.
func datadogMetricsOf(annotations map[string]any) []string {
	type instance struct {
		Metrics []any `json:"metrics"`
	}
	var instances []instance
	if s, ok := annotations[datadogPrefix+flinkjob.MainContainer+".instances"].(string); ok {
		_ = json.Unmarshal([]byte(s), &instances)
	}
	if s, ok := annotations[datadogPrefix+flinkjob.MainContainer+".checks"].(string); ok {
		var checks map[string]struct {
			Instances []instance `json:"instances"`
		}
		_ = json.Unmarshal([]byte(s), &checks)
		instances = append(instances, checks["openmetrics"].Instances...)
	}
	var out []string
	for _, in := range instances {
		for _, m := range in.Metrics {
			if s, ok := m.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// minimize leaves out of a job what the platform p gives it anyway, and
// krm-flink's own defaults, so an imported spec reads like a hand-written
// one.
func minimize(s *api.JobFields, p *api.PlatformSpec) {
	f := &p.Flink
	clearIf(&s.Image, f.Image)
	clearIf(&s.ImagePullPolicy, f.ImagePullPolicy)
	clearIf(&s.FlinkVersion, f.FlinkVersion)
	if sa := s.ServiceAccount; sa != nil && sa.Name == inheritedServiceAccount(f) && sa.IAMRoleArn == inheritedRole(f) {
		s.ServiceAccount = nil
	}
	minimizeRun(&s.JobRun)
	if s.TaskSlots != nil && f.TaskSlots != nil && *s.TaskSlots == *f.TaskSlots {
		s.TaskSlots = nil
	}
	s.JobManager = minimizeProcess(s.JobManager, f.JobManager, 1)
	s.TaskManager = minimizeProcess(s.TaskManager, f.TaskManager, 0)
}

// minimizeRun clears the run fields that are their defaults.
func minimizeRun(r *api.JobRun) {
	clearIf(&r.UpgradeMode, api.DefaultUpgradeMode)
	clearIf(&r.State, api.DefaultJobState)
	if r.Parallelism != nil && *r.Parallelism == 1 {
		r.Parallelism = nil
	}
}

// inheritedServiceAccount is the name of the ServiceAccount a job without
// one of its own runs as.
func inheritedServiceAccount(f *api.FlinkDefaults) string {
	if f.ServiceAccount != nil && f.ServiceAccount.Name != "" {
		return f.ServiceAccount.Name
	}
	return api.DefaultServiceAccount
}

// inheritedRole is the IAM role of the platform's default ServiceAccount.
func inheritedRole(f *api.FlinkDefaults) string {
	if f.ServiceAccount != nil {
		return f.ServiceAccount.IAMRoleArn
	}
	return ""
}

// minimizeProcess clears what equals the platform's process (or, for
// replicas, defaultReplicas when the platform sets none).
func minimizeProcess(s, platform *api.ProcessSpec, defaultReplicas int32) *api.ProcessSpec {
	if s == nil {
		return nil
	}
	base := &api.ProcessSpec{Resource: &api.Resource{}}
	if platform != nil {
		base.Replicas = platform.Replicas
		if platform.Resource != nil {
			base.Resource = platform.Resource
		}
	}
	if s.Replicas != nil {
		inherited := defaultReplicas
		if base.Replicas != nil {
			inherited = *base.Replicas
		}
		if *s.Replicas == inherited && (base.Replicas != nil || defaultReplicas > 0) {
			s.Replicas = nil
		}
	}
	if r := s.Resource; r != nil {
		if r.CPU != nil && base.Resource.CPU != nil && *r.CPU == *base.Resource.CPU {
			r.CPU = nil
		}
		clearIf(&r.Memory, base.Resource.Memory)
		clearIf(&r.EphemeralStorage, base.Resource.EphemeralStorage)
		if r.CPU == nil && r.Memory == "" && r.EphemeralStorage == "" {
			s.Resource = nil
		}
	}
	if s.Replicas == nil && s.Resource == nil && s.PodTemplate == nil {
		return nil
	}
	return s
}

// jobLabels are the FlinkDeployment's labels a job keeps: all but those
// krm-flink renders itself.
func jobLabels(labels map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range labels {
		if ownedKey(k, api.OwnedLabels) || (k == ownedPartOf && v == "flink") {
			continue
		}
		out[k] = v
	}
	return nilIfEmpty(out)
}

// jobAnnotations are the FlinkDeployment's annotations a job keeps: all but
// those krm-flink renders itself (its sync wave, and the sync option it
// adds to every FlinkDeployment).
func jobAnnotations(annotations map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range annotations {
		if ownedKey(k, api.OwnedAnnotations) || (k == gitops.SyncOptionsAnnotation && v == skipDryRun) {
			continue
		}
		out[k] = v
	}
	return nilIfEmpty(out)
}

// skipDryRun is the sync option krm-flink puts on every FlinkDeployment.
const skipDryRun = "SkipDryRunOnMissingResource=true"

// datadogTagsOf reads the ad.datadoghq.com/tags annotation (a JSON object).
func datadogTagsOf(annotations map[string]any) map[string]string {
	s, _ := annotations[datadogTags].(string)
	var tags map[string]any
	if json.Unmarshal([]byte(s), &tags) != nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range tags {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func clearIf(s *string, inherited string) {
	if *s == inherited {
		*s = ""
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

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func stringMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := make(map[string]string, len(m))
	for k, x := range m {
		out[k] = text(x)
	}
	return out
}

// lookupMap is the map at path, as m holds it (not a copy).
func lookupMap(m map[string]any, path ...string) (map[string]any, bool) {
	v, _, _ := unstructured.NestedFieldNoCopy(m, path...)
	mm, ok := v.(map[string]any)
	return mm, ok
}

func put(m map[string]any, v any, path ...string) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// withoutPlatformParts returns a pod template (at spec.podTemplate) without
// what the platform renders into every job's (Compare's documented
// additions: Datadog and Reloader annotations, labels copied from the
// object's, the NodePool selector and toleration, the metrics port, the
// security context), and without karpenter.sh/do-not-disrupt, which the
// job states as nodes.doNotDisrupt, so that a job states only its own; nil
// when nothing is left. Maps and lists empty in the original stay.
func withoutPlatformParts(podTemplate any, norm map[string]any) any {
	return strip(podTemplate, []string{"spec", "podTemplate"}, norm)
}

func strip(v any, path []string, norm map[string]any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return x
		}
		if platform := restrictedSecurityContext(formatPath(path)); platform != nil {
			return ownSecurityContext(x, platform)
		}
		out := map[string]any{}
		for k, c := range x {
			if s := strip(c, appendPath(path, k), norm); s != nil {
				out[k] = s
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(x) == 0 {
			return x
		}
		var out []any
		keyed := named(x) && objects(x)
		for i, item := range x {
			if !keyed {
				if !platformOwned(formatPath(appendPath(path, "["+strconv.Itoa(i)+"]")), item, norm) {
					out = append(out, item)
				}
				continue
			}
			// An item keyed by name keeps its name beside what is left;
			// the Flink container, with nothing of its own, leaves.
			m := item.(map[string]any)
			name := m["name"].(string)
			var rest map[string]any
			if len(m) > 1 {
				rest, _ = strip(withoutKey(m, "name"), appendPath(path, "["+name+"]"), norm).(map[string]any)
			}
			if rest == nil && (len(m) > 1 || name == flinkjob.MainContainer) {
				continue
			}
			if rest == nil {
				rest = map[string]any{}
			}
			rest["name"] = name
			out = append(out, rest)
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	p := formatPath(path)
	if platformOwned(p, v, norm) || p == podTemplate+"metadata.annotations["+doNotDisrupt+"]" && v == "true" {
		return nil // the annotation is the job's nodes.doNotDisrupt (mapPodAnnotations)
	}
	return v
}

// restrictedSecurityContext is the restricted security context krm-flink
// renders at path (the pod's, or the Flink container's), numbers as
// float64; nil at any other path.
func restrictedSecurityContext(path string) map[string]any {
	part := ""
	switch path {
	case podTemplate + "spec.securityContext":
		part = "pod"
	case mainContainer + ".securityContext":
		part = "container"
	default:
		return nil
	}
	sc, _ := canonical(flinkjob.SecurityContext(api.PodSecurityRestricted)[part]).(map[string]any)
	return sc
}

// ownSecurityContext keeps the fields of a security context that differ
// from the restricted one krm-flink renders (platform): the job's own
// settings (runAsUser: 0), which its pod template keeps so that its pods
// run as they do (and a Pod Security level below restricted is imported
// when they need one). nil when nothing is left.
func ownSecurityContext(sc, platform map[string]any) any {
	out := map[string]any{}
	for k, v := range sc {
		if !reflect.DeepEqual(v, platform[k]) {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
