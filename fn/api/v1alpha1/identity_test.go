package v1alpha1

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestServiceAccountRefShapes(t *testing.T) {
	const role = "arn:aws:iam::111122223333:role/etl"
	for name, tc := range map[string]struct {
		in       string
		wantName string
		wantRole string
		wantErrs []string // "type path" of each validation error
	}{
		"plain name":          {in: `"etl"`, wantName: "etl"},
		"mapping":             {in: `{"name":"etl","iamRoleArn":"` + role + `"}`, wantName: "etl", wantRole: role},
		"mapping, name only":  {in: `{"name":"etl"}`, wantName: "etl"},
		"China partition":     {in: `{"name":"etl","iamRoleArn":"arn:aws-cn:iam::111122223333:role/a/b"}`, wantName: "etl", wantRole: "arn:aws-cn:iam::111122223333:role/a/b"},
		"number":              {in: `42`, wantErrs: []string{"FieldValueInvalid spec.serviceAccount"}},
		"list":                {in: `["etl"]`, wantErrs: []string{"FieldValueInvalid spec.serviceAccount"}},
		"boolean":             {in: `true`, wantErrs: []string{"FieldValueInvalid spec.serviceAccount"}},
		"unknown key":         {in: `{"name":"etl","roleArn":"x"}`, wantName: "etl", wantErrs: []string{"FieldValueForbidden spec.serviceAccount.roleArn"}},
		"name not a string":   {in: `{"name":7}`, wantErrs: []string{"FieldValueInvalid spec.serviceAccount.name"}},
		"role not a string":   {in: `{"name":"etl","iamRoleArn":{"arn":"x"}}`, wantName: "etl", wantErrs: []string{"FieldValueInvalid spec.serviceAccount.iamRoleArn"}},
		"role without name":   {in: `{"iamRoleArn":"` + role + `"}`, wantRole: role, wantErrs: []string{"FieldValueRequired spec.serviceAccount.name"}},
		"not an ARN":          {in: `{"name":"etl","iamRoleArn":"etl-role"}`, wantName: "etl", wantRole: "etl-role", wantErrs: []string{"FieldValueInvalid spec.serviceAccount.iamRoleArn"}},
		"a user ARN":          {in: `{"name":"etl","iamRoleArn":"arn:aws:iam::111122223333:user/etl"}`, wantName: "etl", wantRole: "arn:aws:iam::111122223333:user/etl", wantErrs: []string{"FieldValueInvalid spec.serviceAccount.iamRoleArn"}},
		"name not DNS":        {in: `"Etl_Job"`, wantName: "Etl_Job", wantErrs: []string{"FieldValueInvalid spec.serviceAccount"}},
		"two unknown, sorted": {in: `{"b":1,"a":2,"name":"etl"}`, wantName: "etl", wantErrs: []string{"FieldValueForbidden spec.serviceAccount.a", "FieldValueForbidden spec.serviceAccount.b"}},
	} {
		t.Run(name, func(t *testing.T) {
			var s ServiceAccountRef
			if err := json.Unmarshal([]byte(tc.in), &s); err != nil {
				t.Fatalf("unmarshal: %v (shape mistakes are kept for validation, never returned)", err)
			}
			if s.Name != tc.wantName || s.IAMRoleArn != tc.wantRole {
				t.Errorf("got {%q, %q}, want {%q, %q}", s.Name, s.IAMRoleArn, tc.wantName, tc.wantRole)
			}
			got := errStrings(s.validate(field.NewPath("spec", "serviceAccount")))
			if strings.Join(got, "\n") != strings.Join(tc.wantErrs, "\n") {
				t.Errorf("errors:\n got %q\nwant %q", got, tc.wantErrs)
			}
		})
	}
}

// A mistake survives the JSON round trips of environment merges and deep
// copies, so it is still reported after them.
func TestServiceAccountRefRoundTrip(t *testing.T) {
	for _, in := range []string{`"etl"`, `{"name":"etl","iamRoleArn":"arn:aws:iam::111122223333:role/etl"}`, `[1]`, `{"name":"etl","x":1}`} {
		var a, b ServiceAccountRef
		if err := json.Unmarshal([]byte(in), &a); err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &b); err != nil {
			t.Fatal(err)
		}
		if a.Name != b.Name || a.IAMRoleArn != b.IAMRoleArn || len(a.problems) != len(b.problems) {
			t.Errorf("%s: round trip through %s changed it: %+v -> %+v", in, data, a, b)
		}
	}
	// A plain name is written as a mapping, so an override of the role
	// alone merges into it.
	data, _ := json.Marshal(ServiceAccountRef{Name: "etl"})
	if string(data) != `{"name":"etl"}` {
		t.Errorf("marshal = %s, want the mapping form", data)
	}
}

func TestJobIdentityDefaults(t *testing.T) {
	role := &ServiceAccountRef{Name: "flink", IAMRoleArn: "arn:aws:iam::111122223333:role/flink"}
	for name, tc := range map[string]struct {
		platform, job *ServiceAccountRef
		want          ServiceAccountRef
	}{
		"nothing set":              {want: ServiceAccountRef{Name: DefaultServiceAccount}},
		"platform's, whole":        {platform: role, want: *role},
		"job's name, no role":      {platform: role, job: &ServiceAccountRef{Name: "etl"}, want: ServiceAccountRef{Name: "etl"}},
		"empty name inherits":      {platform: role, job: &ServiceAccountRef{}, want: *role},
		"job's own role":           {platform: role, job: &ServiceAccountRef{Name: "etl", IAMRoleArn: "arn:aws:iam::1:role/x"}, want: ServiceAccountRef{Name: "etl", IAMRoleArn: "arn:aws:iam::1:role/x"}},
		"platform's plain name":    {platform: &ServiceAccountRef{Name: "runner"}, want: ServiceAccountRef{Name: "runner"}},
		"platform's name, by name": {platform: role, job: &ServiceAccountRef{Name: "flink"}, want: *role},
	} {
		t.Run(name, func(t *testing.T) {
			p := &FlinkPlatform{Spec: PlatformSpec{Flink: FlinkDefaults{ClusterSettings: ClusterSettings{ServiceAccount: tc.platform}}}}
			p.Default()
			j := &FlinkJobSpec{Spec: JobSpec{JobFields: JobFields{ClusterSettings: ClusterSettings{ServiceAccount: tc.job}}}}
			j.Default(&p.Spec)
			if got := *j.Spec.ServiceAccount; got.Name != tc.want.Name || got.IAMRoleArn != tc.want.IAMRoleArn {
				t.Errorf("got %s, want %s", got.String(), tc.want.String())
			}
		})
	}
}

func TestWebIdentityS3(t *testing.T) {
	withRole := &ServiceAccountRef{Name: "etl", IAMRoleArn: "arn:aws:iam::111122223333:role/etl"}
	noRole := &ServiceAccountRef{Name: "etl"}
	for name, tc := range map[string]struct {
		job, platform *bool
		sa            *ServiceAccountRef
		want          bool
	}{
		"off by default":              {sa: withRole},
		"job asks, has a role":        {job: ptr(true), sa: withRole, want: true},
		"platform asks, has a role":   {platform: ptr(true), sa: withRole, want: true},
		"platform asks, job declines": {platform: ptr(true), job: ptr(false), sa: withRole},
		"platform asks, no role":      {platform: ptr(true), sa: noRole},
		"job asks, no role (refused)": {job: ptr(true), sa: noRole},
	} {
		t.Run(name, func(t *testing.T) {
			s := &JobFields{ClusterSettings: ClusterSettings{S3WebIdentity: tc.job, ServiceAccount: tc.sa}}
			if got := s.WebIdentityS3(&FlinkDefaults{ClusterSettings: ClusterSettings{S3WebIdentity: tc.platform}}); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMergeIngress(t *testing.T) {
	platform := &Ingress{ClassName: "nginx", Annotations: map[string]string{"a": "platform", "b": "platform"}}
	job := &Ingress{Template: "{{name}}.example.com", Annotations: map[string]string{"b": "job"}, TLS: []IngressTLS{{SecretName: "t"}}}
	got := mergeIngress(platform, job)
	if got.Template != job.Template || got.ClassName != "nginx" || got.Annotations["a"] != "platform" || got.Annotations["b"] != "job" || len(got.TLS) != 1 {
		t.Errorf("merged = %+v", got)
	}
	if platform.Annotations["b"] != "platform" {
		t.Error("merging changed the platform's defaults")
	}
	if mergeIngress(platform, nil) != nil {
		t.Error("a platform ingress without a template gave a job without one an ingress")
	}
	if got := mergeIngress(&Ingress{Template: "{{name}}.example.com"}, nil); got == nil || got.Template == "" {
		t.Error("a platform template gives every job an ingress")
	}
}

func errStrings(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, string(e.Type)+" "+e.Field)
	}
	return out
}
