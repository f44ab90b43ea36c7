package v1alpha1

import (
	"strings"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// OwnedLabels are the label keys krm-flink sets on a job's objects itself;
// a FlinkJobSpec's metadata.labels may not set them. Every key under the
// krm-flink.io/ prefix is krm-flink's too (OwnedKeyPrefix).
var OwnedLabels = []string{
	"app.kubernetes.io/managed-by",
	"app.kubernetes.io/name",
	"app.kubernetes.io/instance",
}

// OwnedAnnotations are the annotation keys krm-flink sets on a job's
// FlinkDeployment itself; every key under OwnedKeyPrefix is krm-flink's too.
var OwnedAnnotations = []string{
	// The Argo CD sync wave orders the layers of an overlay.
	"argocd.argoproj.io/sync-wave",
}

// OwnedKeyPrefix is the prefix of the label and annotation keys krm-flink
// owns.
const OwnedKeyPrefix = Group + "/"

// inputOnlyAnnotationPrefixes mark annotations that describe the input file
// to kustomize, kpt and the KRM function protocol (config.kubernetes.io/local-config,
// its path and index); they stay on the FlinkJobSpec. local-config on the
// FlinkDeployment would even make kustomize drop it.
var inputOnlyAnnotationPrefixes = []string{
	"config.kubernetes.io/",
	"internal.config.kubernetes.io/",
	"config.k8s.io/",
	"kustomize.config.k8s.io/",
}

// PassedOnAnnotations returns the annotations of a FlinkJobSpec that go onto
// its FlinkDeployment: all but the input-only ones.
func PassedOnAnnotations(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if !InputOnlyAnnotation(k) {
			out[k] = v
		}
	}
	return out
}

// InputOnlyAnnotation tells whether an annotation describes the input file
// to kustomize, kpt or the KRM function protocol rather than the object.
func InputOnlyAnnotation(key string) bool {
	for _, p := range inputOnlyAnnotationPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// validateJobMetadata checks the labels and annotations a job passes on to
// its FlinkDeployment: valid Kubernetes keys and values, none that
// krm-flink sets itself.
func (j *FlinkJobSpec) validateJobMetadata(meta *field.Path) field.ErrorList {
	var errs field.ErrorList
	labels := meta.Child("labels")
	for _, k := range sortedStringKeys(j.Metadata.Labels) {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(labels.Key(k), k, "not a label key: "+msg))
		}
		for _, msg := range validation.IsValidLabelValue(j.Metadata.Labels[k]) {
			errs = append(errs, field.Invalid(labels.Key(k), j.Metadata.Labels[k], msg))
		}
	}
	errs = append(errs, owned(labels, j.Metadata.Labels, OwnedLabels, "label")...)
	annotations := meta.Child("annotations")
	for _, k := range sortedStringKeys(j.Metadata.Annotations) {
		// Kubernetes compares annotation keys in lower case.
		for _, msg := range validation.IsQualifiedName(strings.ToLower(k)) {
			errs = append(errs, field.Invalid(annotations.Key(k), k, "not an annotation key: "+msg))
		}
	}
	if err := apivalidation.ValidateAnnotationsSize(j.Metadata.Annotations); err != nil {
		errs = append(errs, field.TooLong(annotations, "", apivalidation.TotalAnnotationSizeLimitB))
	}
	errs = append(errs, owned(annotations, j.Metadata.Annotations, OwnedAnnotations, "annotation")...)
	return errs
}

func owned(path *field.Path, m map[string]string, keys []string, what string) field.ErrorList {
	var errs field.ErrorList
	for _, k := range sortedStringKeys(m) {
		if strings.HasPrefix(k, OwnedKeyPrefix) || contains(keys, k) {
			errs = append(errs, field.Forbidden(path.Key(k), "krm-flink owns this "+what+" key ("+strings.Join(keys, ", ")+" and every "+OwnedKeyPrefix+" key) and sets it on the job's objects itself; choose another key"))
		}
	}
	return errs
}
