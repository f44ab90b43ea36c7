package v1alpha1

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
)

func template(t *testing.T, s string) *PodTemplate {
	t.Helper()
	if s == "" {
		return nil
	}
	pt := &PodTemplate{}
	if err := yaml.UnmarshalStrict([]byte(s), pt); err != nil {
		t.Fatal(err)
	}
	return pt
}

func TestMergePodTemplates(t *testing.T) {
	cases := []struct {
		name      string
		templates []string
		want      string
	}{{
		name:      "none",
		templates: []string{"", ""},
	}, {
		name:      "one is kept as written, without the fields it does not set",
		templates: []string{"", "spec: {containers: [{name: a, image: b}], volumes: [{name: v, emptyDir: {}}]}"},
		want:      `{"spec":{"containers":[{"image":"b","name":"a"}],"volumes":[{"emptyDir":{},"name":"v"}]}}`,
	}, {
		// A name new to the list goes first, names already there keep their place.
		name: "containers, volumes and env merge by name; maps key by key; other lists are replaced",
		templates: []string{
			"metadata: {annotations: {a: '1', b: '1'}}\nspec: {containers: [{name: m, env: [{name: X, value: '1'}, {name: 'Y', value: '1'}]}], volumes: [{name: v, emptyDir: {}}], tolerations: [{key: k, operator: Exists}]}",
			"metadata: {annotations: {b: '2'}}\nspec: {containers: [{name: m, env: [{name: 'Y', value: '2'}]}, {name: s, image: i}], tolerations: [{key: j, operator: Exists}]}",
			"spec: {containers: [{name: m, env: [{name: Z, value: '3'}]}], volumes: [{name: w, configMap: {name: c}}]}",
		},
		want: `{"metadata":{"annotations":{"a":"1","b":"2"}},"spec":{"containers":[{"env":[{"name":"Z","value":"3"},{"name":"X","value":"1"},{"name":"Y","value":"2"}],"name":"m"},{"image":"i","name":"s"}],"tolerations":[{"key":"j","operator":"Exists"}],"volumes":[{"configMap":{"name":"c"},"name":"w"},{"emptyDir":{},"name":"v"}]}}`,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var in []*PodTemplate
			for _, s := range c.templates {
				in = append(in, template(t, s))
			}
			got, err := MergePodTemplates(in...)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				if c.want != "" {
					t.Fatalf("got nil, want %s", c.want)
				}
				return
			}
			data, err := PodTemplateJSON(got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, string(data)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSecretsConfiguration(t *testing.T) {
	got := SecretsConfiguration([]FlinkSecret{
		{Name: "kafka", MountPath: "/opt/secrets/kafka"},
		{Name: "db", Key: "password", Env: "DB_PASSWORD"},
		{Name: "tls", MountPath: "/opt/tls"},
		{Name: "dd", Key: "api-key", Env: "DD_API_KEY"},
		{Name: "tls-pass", Key: "password", ConfigKey: "security.ssl.internal.keystore-password"},
		{Name: "tls-pass", Key: "password", ConfigKey: "security.ssl.internal.key-password"},
	}, map[string]string{"kubernetes.jobmanager.entrypoint.args": "-Dfoo=bar"})
	want := map[string]string{
		"kubernetes.secrets": "kafka:/opt/secrets/kafka,tls:/opt/tls",
		"kubernetes.env.secretKeyRef": "env:DB_PASSWORD,secret:db,key:password;env:DD_API_KEY,secret:dd,key:api-key;" +
			"env:KRM_FLINK_CONF_SECURITY_SSL_INTERNAL_KEYSTORE_PASSWORD,secret:tls-pass,key:password;" +
			"env:KRM_FLINK_CONF_SECURITY_SSL_INTERNAL_KEY_PASSWORD,secret:tls-pass,key:password",
		// The job's own arguments are kept, ours appended.
		"kubernetes.jobmanager.entrypoint.args": `-Dfoo=bar -Dsecurity.ssl.internal.keystore-password="${KRM_FLINK_CONF_SECURITY_SSL_INTERNAL_KEYSTORE_PASSWORD}"` +
			` -Dsecurity.ssl.internal.key-password="${KRM_FLINK_CONF_SECURITY_SSL_INTERNAL_KEY_PASSWORD}"`,
		"kubernetes.taskmanager.entrypoint.args": `-Dsecurity.ssl.internal.keystore-password="${KRM_FLINK_CONF_SECURITY_SSL_INTERNAL_KEYSTORE_PASSWORD}"` +
			` -Dsecurity.ssl.internal.key-password="${KRM_FLINK_CONF_SECURITY_SSL_INTERNAL_KEY_PASSWORD}"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestValidateSecrets(t *testing.T) {
	cases := []struct {
		name    string
		secrets []FlinkSecret
		conf    map[string]string
		want    []string
	}{
		{name: "mount and env", secrets: []FlinkSecret{{Name: "a", MountPath: "/a"}, {Name: "b", Env: "B", Key: "k"}}},
		{name: "neither", secrets: []FlinkSecret{{Name: "a"}}, want: []string{"spec.secrets[0].mountPath: Required"}},
		{name: "both", secrets: []FlinkSecret{{Name: "a", MountPath: "/a", Env: "A", Key: "k"}}, want: []string{"spec.secrets[0].env: Invalid"}},
		{name: "env without key", secrets: []FlinkSecret{{Name: "a", Env: "A"}}, want: []string{"spec.secrets[0].key: Required"}},
		{name: "relative path", secrets: []FlinkSecret{{Name: "a", MountPath: "a:b"}}, want: []string{"spec.secrets[0].mountPath: Invalid"}},
		{name: "bad name", secrets: []FlinkSecret{{Name: "A_b", MountPath: "/a"}}, want: []string{"spec.secrets[0].name: Invalid"}},
		{name: "twice", secrets: []FlinkSecret{{Name: "a", Env: "A", Key: "k"}, {Name: "b", Env: "A", Key: "k"}}, want: []string{"spec.secrets[1].env: Duplicate"}},
		{name: "configKey", secrets: []FlinkSecret{{Name: "a", Key: "k", ConfigKey: "s3.secret-key"}}},
		{name: "configKey without key", secrets: []FlinkSecret{{Name: "a", ConfigKey: "s3.secret-key"}}, want: []string{"spec.secrets[0].key: Required value: the key of the Secret whose value goes into configKey"}},
		{name: "configKey and env", secrets: []FlinkSecret{{Name: "a", Key: "k", Env: "A", ConfigKey: "s3.secret-key"}}, want: []string{"spec.secrets[0].configKey: Invalid value: \"s3.secret-key\": give one of mountPath, env or configKey per entry"}},
		{name: "configKey and mountPath", secrets: []FlinkSecret{{Name: "a", MountPath: "/a", ConfigKey: "s3.secret-key"}}, want: []string{"spec.secrets[0].configKey: Invalid"}},
		{
			name: "and the option written by hand", secrets: []FlinkSecret{{Name: "a", MountPath: "/a"}},
			conf: map[string]string{SecretsMountKey: "b:/b"},
			want: []string{"spec.flinkConfiguration[kubernetes.secrets]: Invalid"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, e := range validateSecrets(field.NewPath("spec", "secrets"), c.secrets, field.NewPath("spec", "flinkConfiguration"), c.conf) {
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
