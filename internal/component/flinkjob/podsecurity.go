package flinkjob

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	psaapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// podSecurityEvaluator is the upstream Pod Security Admission policy, the
// checks a namespace labelled pod-security.kubernetes.io/enforce runs.
var podSecurityEvaluator = func() policy.Evaluator {
	e, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		panic(fmt.Sprintf("flinkjob: the pod security policy does not load: %v", err))
	}
	return e
}()

// checkPodSecurity enforces the jobs' Pod Security Standard on what the job
// chart rendered, whichever chart it is: every FlinkDeployment's pod
// templates (each role's merged over the shared one, with the main
// container the operator adds) must meet the job's level, restricted unless
// the job opted out. An opt-out is made visible: the FlinkDeployment carries
// the krm-flink.io/pod-security annotation and a warning names the job's
// field. It checks one batch of jobs and what the chart rendered for them,
// so batches check concurrently; warnings keep the objects, errors do not.
func checkPodSecurity(p *resolve.Plan, batch []*resolve.Job, objs []*manifest.Object) problem.List {
	jobs := make(map[string]*resolve.Job, len(batch))
	var probs problem.List
	for _, j := range batch {
		jobs[j.Metadata.Namespace+"/"+j.Metadata.Name] = j
		if level := podSecurityLevel(&j.Spec.JobFields); level != api.PodSecurityRestricted {
			file, ref := jobSource(j)
			probs = append(probs, problem.Warningf(file, ref, "spec.podSecurity",
				"the job's Flink pods opt out of the restricted Pod Security Standard (%s): its namespace must admit %s pods; the FlinkDeployment is annotated %s=%s",
				level, level, api.PodSecurityAnnotation, level))
		}
	}
	for _, o := range objs {
		if o.GetKind() != "FlinkDeployment" || o.GroupVersionKind().Group != "flink.apache.org" {
			continue
		}
		j := jobs[o.GetNamespace()+"/"+o.GetName()]
		level := api.PodSecurityRestricted
		if j != nil {
			level = podSecurityLevel(&j.Spec.JobFields)
		}
		if level != api.PodSecurityRestricted {
			ann := o.GetAnnotations()
			if ann == nil {
				ann = map[string]string{}
			}
			ann[api.PodSecurityAnnotation] = level
			o.SetAnnotations(ann)
		}
		for _, why := range PodSecurityViolations(o, level, p.Platform.Spec.Components.FlinkOperator.FlinkConfiguration) {
			probs = append(probs, podSecurityProblem(p, j, o, level, why))
		}
	}
	return probs
}

func jobSource(j *resolve.Job) (string, problem.ObjectRef) {
	if j.Source != nil {
		return j.Source.File, j.Source.Ref()
	}
	return "", problem.ObjectRef{APIVersion: j.APIVersion, Kind: j.Kind, Namespace: j.Metadata.Namespace, Name: j.Metadata.Name}
}

func podSecurityProblem(p *resolve.Plan, j *resolve.Job, o *manifest.Object, level, why string) problem.Problem {
	if p.Platform.Spec.JobChart == nil && j != nil {
		// The built-in chart renders krm-flink's restricted settings: what
		// breaks the standard comes from the job's pod templates.
		file, ref := jobSource(j)
		return problem.Errorf(file, ref, "spec.podTemplate",
			"the operator would create Flink pods that do not meet the %s Pod Security Standard: %s; change the pod templates (spec.podTemplate, spec.jobManager.podTemplate, spec.taskManager.podTemplate, or the platform's spec.flink ones), or opt the job out with spec.podSecurity",
			level, why)
	}
	what := fmt.Sprintf("FlinkDeployment %s/%s", o.GetNamespace(), o.GetName())
	if j != nil {
		if file, _ := jobSource(j); file != "" {
			what += " (job in " + file + ")"
		}
	}
	msg := fmt.Sprintf("the job chart renders %s with pods that do not meet the %s Pod Security Standard: %s; "+
		"render the values podTemplate, jobManager.podTemplate and taskManager.podTemplate (docs/job-chart.md), or opt the job out with spec.podSecurity",
		what, level, why)
	fieldPath := "spec.jobChart.path"
	if p.Platform.Spec.JobChart == nil {
		fieldPath = "spec.jobChart"
	}
	if p.Source == nil {
		return problem.Errorf("", problem.ObjectRef{}, fieldPath, "%s", msg)
	}
	return problem.Errorf(p.Source.File, p.Source.Ref(), fieldPath, "%s", msg)
}

// PodSecurityViolations evaluates a FlinkDeployment's pods against a Pod
// Security Standard level (latest policy version) and lists why they are
// forbidden, by pod template; nil when they are allowed. What is evaluated
// is what the operator builds: for each of the JobManager and TaskManager,
// spec.podTemplate with the role's own podTemplate merged over it
// (operatorMerge; by name when MergeArraysByNameKey is true in the
// deployment's flinkConfiguration or else in operatorConf, the operator's
// own configuration), and the main container (flink-main-container) Flink
// adds when the template has none. Two differently named containers,
// volumes or variables the operator merges into one by position are
// reported too: that pod is not the one the templates describe.
func PodSecurityViolations(o *manifest.Object, level string, operatorConf map[string]string) []string {
	shared, _, err := unstructured.NestedMap(o.Object, "spec", "podTemplate")
	if err != nil {
		return []string{"spec.podTemplate: " + err.Error()}
	}
	conf, _, _ := unstructured.NestedStringMap(o.Object, "spec", "flinkConfiguration")
	byName := mergesByName(conf, operatorConf)
	var out []string
	evaluated := map[string]bool{}
	for _, role := range []string{"jobManager", "taskManager"} {
		own, found, err := unstructured.NestedMap(o.Object, "spec", role, "podTemplate")
		if err != nil {
			out = append(out, fmt.Sprintf("spec.%s.podTemplate: %v", role, err))
			continue
		}
		where := "spec.podTemplate"
		pod := shared
		if found {
			where = fmt.Sprintf("spec.podTemplate with spec.%s.podTemplate", role)
			var merged []renamed
			pod, merged = operatorMerge(shared, own, byName)
			for _, m := range merged {
				out = append(out, renamedMessage(role, m))
			}
		}
		if evaluated[where] {
			continue
		}
		evaluated[where] = true
		if why := evaluatePodTemplate(pod, level); why != "" {
			out = append(out, where+": "+why)
		}
	}
	return out
}

func evaluatePodTemplate(raw map[string]any, level string) string {
	var tmpl corev1.PodTemplateSpec
	if raw != nil {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &tmpl); err != nil {
			return "not a pod template: " + err.Error()
		}
	}
	hasMain := false
	for _, c := range tmpl.Spec.Containers {
		hasMain = hasMain || c.Name == MainContainer
	}
	if !hasMain {
		tmpl.Spec.Containers = append(tmpl.Spec.Containers, corev1.Container{Name: MainContainer})
	}
	lv := psaapi.LevelVersion{Level: psaapi.Level(level), Version: psaapi.LatestVersion()}
	res := policy.AggregateCheckResults(podSecurityEvaluator.EvaluatePod(lv, &tmpl.ObjectMeta, &tmpl.Spec))
	if res.Allowed {
		return ""
	}
	return res.ForbiddenDetail()
}
