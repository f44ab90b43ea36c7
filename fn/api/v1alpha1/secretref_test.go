package v1alpha1

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestConfigKeyEnv(t *testing.T) {
	for key, want := range map[string]string{
		"security.ssl.internal.keystore-password": "KRM_FLINK_CONF_SECURITY_SSL_INTERNAL_KEYSTORE_PASSWORD",
		"s3.secret-key":                  "KRM_FLINK_CONF_S3_SECRET_KEY",
		"metrics.reporter.dghttp.apiKey": "KRM_FLINK_CONF_METRICS_REPORTER_DGHTTP_APIKEY",
	} {
		if got := ConfigKeyEnv(key); got != want {
			t.Errorf("ConfigKeyEnv(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestValidateConfigKeys(t *testing.T) {
	ref := func(key string) FlinkSecret { return FlinkSecret{Name: "tls", Key: "password", ConfigKey: key} }
	cases := []struct {
		name     string
		fields   JobFields
		platform map[string]string
		want     []string
	}{
		{name: "native, 1.17", fields: JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v1_17"}, Secrets: []FlinkSecret{ref("security.ssl.internal.keystore-password")}}},
		{name: "mode left to the operator (native)", fields: JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v2_0"}, Secrets: []FlinkSecret{ref("a.b")}}},
		{
			name:   "standalone",
			fields: JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v1_20", Mode: ModeStandalone}, Secrets: []FlinkSecret{ref("a.b")}},
			want:   []string{`spec.secrets[0].configKey: Invalid value: "a.b": needs mode native (spec.mode is standalone)`},
		},
		{
			name:   "Flink 1.16",
			fields: JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v1_16"}, Secrets: []FlinkSecret{ref("a.b")}},
			want:   []string{`spec.secrets[0].configKey: Invalid value: "a.b": needs spec.flinkVersion v1_17 or later (it is v1_16)`},
		},
		{
			name:   "not a Flink key",
			fields: JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v1_17"}, Secrets: []FlinkSecret{ref("a.b$(id)")}},
			want:   []string{`spec.secrets[0].configKey: Invalid value: "a.b$(id)": must be a Flink option key`},
		},
		{
			name:   "an option krm-flink renders",
			fields: JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v1_17"}, Secrets: []FlinkSecret{ref(TaskManagerEntrypointArgsKey)}},
			want:   []string{`spec.secrets[0].configKey: Invalid value: "kubernetes.taskmanager.entrypoint.args": krm-flink renders this option itself`},
		},
		{
			name:   "reserved",
			fields: JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v1_17"}, Secrets: []FlinkSecret{ref("kubernetes.cluster-id")}},
			want:   []string{`spec.secrets[0].configKey: Invalid value: "kubernetes.cluster-id": the operator sets this option itself`},
		},
		{
			name:   "twice",
			fields: JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v1_17"}, Secrets: []FlinkSecret{ref("a.b"), ref("a.b")}},
			want:   []string{`spec.secrets[1].configKey: Duplicate value: "a.b (also secrets[0].configKey)"`},
		},
		{
			name:   "two keys, one variable",
			fields: JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v1_17"}, Secrets: []FlinkSecret{ref("a.b"), ref("a-b")}},
			want:   []string{`spec.secrets[1].configKey: Invalid value: "a-b": gives the same environment variable, KRM_FLINK_CONF_A_B, as secrets[0].configKey a.b`},
		},
		{
			name:   "the job's flinkConfiguration sets it too",
			fields: JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v1_17"}, Secrets: []FlinkSecret{ref("a.b")}, FlinkConfiguration: FlinkConfiguration{"a.b": "x"}},
			want:   []string{`spec.secrets[0].configKey: Invalid value: "a.b": spec.flinkConfiguration sets a.b too`},
		},
		{
			name:     "the platform's flinkConfiguration sets it",
			fields:   JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v1_17"}, Secrets: []FlinkSecret{ref("a.b")}, FlinkConfiguration: FlinkConfiguration{"a.b": "x"}},
			platform: map[string]string{"a.b": "x"},
			want:     []string{`spec.secrets[0].configKey: Invalid value: "a.b": the platform's spec.flink.flinkConfiguration sets a.b too`},
		},
		{
			name: "a user variable of the same name",
			fields: JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v1_17"}, Secrets: []FlinkSecret{ref("a.b"), {Name: "x", Key: "k", Env: "KRM_FLINK_CONF_A_B"}},
				PodTemplate: &PodTemplate{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: MainContainer, Env: []corev1.EnvVar{{Name: "KRM_FLINK_CONF_A_B"}}}}}}},
			want: []string{`spec.secrets[0].configKey: Invalid value: "a.b": krm-flink passes its value in the environment variable KRM_FLINK_CONF_A_B, which spec.secrets[1].env sets too`},
		},
		{
			name: "a pod template variable of the same name",
			fields: JobFields{ClusterSettings: ClusterSettings{FlinkVersion: "v1_17"}, Secrets: []FlinkSecret{ref("a.b")},
				PodTemplate: &PodTemplate{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: MainContainer, Env: []corev1.EnvVar{{Name: "X"}, {Name: "KRM_FLINK_CONF_A_B"}}}}}}},
			want: []string{`spec.secrets[0].configKey: Invalid value: "a.b": krm-flink passes its value in the environment variable KRM_FLINK_CONF_A_B, which spec.podTemplate.spec.containers[0].env[1] sets too`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, e := range validateConfigKeys(field.NewPath("spec"), &c.fields, c.platform) {
				got = append(got, e.Error())
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %q, want %d errors like %q", got, len(c.want), c.want)
			}
			for i, w := range c.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("error %d = %q, want %q...", i, got[i], w)
				}
			}
		})
	}
}

func TestApplyCredentialPolicy(t *testing.T) {
	conf := map[string]string{"security.ssl.keystore-password": "pw", "parallelism.default": "2"}
	errs := validateNoCredentials(field.NewPath("spec", "flinkConfiguration"), conf, true, configKeyHint)
	errs = append(errs, field.Invalid(field.NewPath("spec", "parallelism"), 0, "must be at least 1"))
	if len(errs) != 2 {
		t.Fatalf("got %d errors, want 2: %v", len(errs), errs)
	}
	wantErr := "spec.flinkConfiguration[security.ssl.keystore-password]: Forbidden: holds a credential; krm-flink never writes credentials into the overlays (they are committed to Git): " +
		"give Flink the option from a Secret, secrets: [{name: <secret>, key: <key>, configKey: security.ssl.keystore-password}] in the job's (or session cluster's) spec; " +
		"or, to render it as written, set the platform's spec.policy.plainTextCredentials: warn"
	if got := errs[0].Error(); got != wantErr {
		t.Errorf("error = %q\nwant    %q", got, wantErr)
	}
	for _, policy := range []string{"", PolicyError} {
		kept, warned := ApplyCredentialPolicy(errs, policy)
		if len(kept) != 2 || len(warned) != 0 {
			t.Errorf("policy %q: kept %d, warned %d; want 2, 0", policy, len(kept), len(warned))
		}
	}
	kept, warned := ApplyCredentialPolicy(errs, PolicyWarn)
	if len(kept) != 1 || kept[0].Field != "spec.parallelism" {
		t.Errorf("kept = %v, want only spec.parallelism", kept)
	}
	wantWarn := "holds a credential in plain text: rendered as written, into overlays committed to Git, because the platform's spec.policy.plainTextCredentials is warn"
	if len(warned) != 1 || warned[0].Detail != wantWarn || warned[0].Field != "spec.flinkConfiguration[security.ssl.keystore-password]" {
		t.Errorf("warned = %v\nwant %q", warned, wantWarn)
	}
	// The errors the policy turned into warnings are copies.
	if errs[0].Error() != wantErr {
		t.Errorf("ApplyCredentialPolicy changed its input: %q", errs[0].Error())
	}
}

func TestPolicyValidate(t *testing.T) {
	if errs := (&Policy{PlainTextCredentials: "warn", StatelessWithState: "error"}).Validate(field.NewPath("spec", "policy")); len(errs) != 0 {
		t.Errorf("valid policy: %v", errs)
	}
	errs := (&Policy{PlainTextCredentials: "allow"}).Validate(field.NewPath("spec", "policy"))
	if len(errs) != 1 || errs[0].Field != "spec.policy.plainTextCredentials" {
		t.Errorf("errors = %v, want one at spec.policy.plainTextCredentials", errs)
	}
}

func TestMergeSecrets(t *testing.T) {
	platform := []FlinkSecret{
		{Name: "certs", MountPath: "/opt/certs"},
		{Name: "creds", Key: "ts", ConfigKey: "security.ssl.internal.truststore-password"},
		{Name: "dd", Key: "api-key", Env: "DD_API_KEY"},
	}
	job := []FlinkSecret{
		{Name: "own-creds", Key: "ks", ConfigKey: "security.ssl.internal.keystore-password"},
		// Same target as the platform's entry, another Secret: the job's wins.
		{Name: "own-creds", Key: "ts", ConfigKey: "security.ssl.internal.truststore-password"},
		{Name: "own-certs", MountPath: "/opt/certs"},
	}
	got := MergeSecrets(platform, job)
	want := []FlinkSecret{job[0], job[1], job[2], platform[2]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := MergeSecrets(nil, job); len(got) != 3 {
		t.Errorf("no platform secrets: got %v", got)
	}
	if got := MergeSecrets(platform, nil); !cmp.Equal(got, platform) {
		t.Errorf("no job secrets: got %v, want the platform's", got)
	}
	if got := MergeSecrets(nil, nil); got != nil {
		t.Errorf("none: got %v, want nil", got)
	}
}
