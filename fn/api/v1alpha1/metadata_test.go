package v1alpha1

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestJobMetadata(t *testing.T) {
	tests := []struct {
		name        string
		labels      map[string]string
		annotations map[string]string
		want        []string
	}{
		{name: "none"},
		{
			name:        "own keys pass",
			labels:      map[string]string{"team": "a", "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/component": "stream"},
			annotations: map[string]string{"example.com/runbook": "https://x/y z", "argocd.argoproj.io/sync-options": "Prune=false"},
		},
		{
			name:   "labels krm-flink owns",
			labels: map[string]string{"app.kubernetes.io/managed-by": "me", "app.kubernetes.io/instance": "x", "krm-flink.io/anything": "x"},
			want: []string{
				"FieldValueForbidden metadata.labels[app.kubernetes.io/instance]",
				"FieldValueForbidden metadata.labels[app.kubernetes.io/managed-by]",
				"FieldValueForbidden metadata.labels[krm-flink.io/anything]",
			},
		},
		{
			name:        "annotations krm-flink owns",
			annotations: map[string]string{"argocd.argoproj.io/sync-wave": "3", "krm-flink.io/pod-security": "privileged"},
			want: []string{
				"FieldValueForbidden metadata.annotations[argocd.argoproj.io/sync-wave]",
				"FieldValueForbidden metadata.annotations[krm-flink.io/pod-security]",
			},
		},
		{
			name:        "invalid keys and values",
			labels:      map[string]string{"a b": "x", "ok": "no spaces please"},
			annotations: map[string]string{"-bad": "x"},
			want: []string{
				"FieldValueInvalid metadata.labels[a b]",
				"FieldValueInvalid metadata.labels[ok]",
				"FieldValueInvalid metadata.annotations[-bad]",
			},
		},
		{
			name:        "annotations too large",
			annotations: map[string]string{"big": strings.Repeat("x", 256*1024)},
			want:        []string{"FieldValueTooLong metadata.annotations"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := validJob()
			j.Metadata.Labels, j.Metadata.Annotations = tt.labels, tt.annotations
			got := paths(j.validateJobMetadata(field.NewPath("metadata")))
			if diff := cmp.Diff(tt.want, got); diff != "" && !(len(tt.want) == 0 && len(got) == 0) {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPassedOnAnnotations(t *testing.T) {
	got := PassedOnAnnotations(map[string]string{
		"config.kubernetes.io/local-config":             "true",
		"internal.config.kubernetes.io/path":            "jobs.yaml",
		"config.k8s.io/id":                              "1",
		"kustomize.config.k8s.io/id":                    "x",
		"example.com/runbook":                           "https://x",
		"config.kubernetes.io.example.com/not-a-prefix": "kept",
	})
	want := map[string]string{"example.com/runbook": "https://x", "config.kubernetes.io.example.com/not-a-prefix": "kept"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
