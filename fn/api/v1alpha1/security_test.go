package v1alpha1

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestValidateImage(t *testing.T) {
	digest := "sha256:" + strings.Repeat("0123456789abcdef", 4)
	cases := []struct {
		image         string
		requireDigest bool
		wantErr       string
	}{
		{"flink:1.18", false, ""},
		{"flink", false, ""},
		{"library/flink:1.18", false, ""},
		{"111122223333.dkr.ecr.us-east-1.amazonaws.com/orders-enricher:2.4.1", false, ""},
		{"registry.example.com:5000/team/flink:1.18-java17", false, ""},
		{"Registry.Example.com/flink:1.18", false, ""}, // host names are case-insensitive
		{"localhost:5000/flink", false, ""},
		{"10.0.0.1:5000/flink:1.18", false, ""},
		{"[::1]:5000/flink:1.18", false, ""},
		{"[fd00::1]/team/flink", false, ""},
		{"flink:" + strings.Repeat("t", 128), false, ""},
		{"flink@" + digest, true, ""},
		{"flink:1.18@" + digest, true, ""},
		{"registry.example.com:5000/team/flink:1.18@" + digest, true, ""},
		{"[::1]:5000/flink@" + digest, true, ""},
		{"flink:1.18", true, "is given by tag"},
		{"flink", true, "is given by tag"},
		{"registry.example.com:5000/flink", true, "is given by tag"},
		{"flink@sha256:1234", false, "the digest after @"},
		{"flink@" + digest[:len(digest)-1], false, "the digest after @"},
		{"flink@md5:" + strings.Repeat("a", 32), false, "the digest after @"},
		{"flink@sha512:" + strings.Repeat("ab", 64), false, "the digest after @"}, // sha256 only
		{"flink@" + strings.ToUpper(digest), false, "the digest after @"},
		{"flink@" + digest + "@" + digest, false, "the digest after @"},
		{"flink@", false, "the digest after @"},
		{"Flink:1.18", false, "must be an image reference"},
		{"registry.example.com/Team/flink", false, "must be an image reference"},
		{"flink 1.18", false, "must be an image reference"},
		{"flink:1.18\n", false, "must be an image reference"},
		{"flink:", false, "must be an image reference"},
		{"flink:1.18:2", false, "must be an image reference"},
		{"flink:" + strings.Repeat("t", 129), false, "must be an image reference"},
		{"flink:1+2", false, "must be an image reference"},
		{"registry.example.com:http/flink", false, "must be an image reference"},
		{"[::1/flink", false, "must be an image reference"},
		{"Orders Team/orders@" + digest, false, "must be an image reference"},
		// go-containerregistry checks each part's characters and length, not
		// where separators go: these pass, and the registry refuses them.
		{"-flink", false, ""},
		{"team//flink", false, ""},
		{"flink:.x", false, ""},
	}
	for _, tc := range cases {
		errs := ValidateImage(field.NewPath("spec", "image"), tc.image, tc.requireDigest)
		switch {
		case tc.wantErr == "" && len(errs) > 0:
			t.Errorf("%q (require %v): unexpected %v", tc.image, tc.requireDigest, errs)
		case tc.wantErr != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.wantErr)):
			t.Errorf("%q (require %v): got %v, want %q", tc.image, tc.requireDigest, errs, tc.wantErr)
		}
	}
}

func TestCredentialKeysAndValues(t *testing.T) {
	for key, want := range map[string]bool{
		"s3.access-key": true, "s3.secret-key": true, "fs.s3a.access.key": true, "fs.s3a.secret.key": true,
		"security.ssl.keystore-password": true, "metrics.reporter.dghttp.apikey": true, "metrics.reporter.dghttp.apiKey": true,
		"presto.s3.credentials": true, "gs.auth.token": true, "s3.secret": true,
		// references to secrets and settings about credentials are fine
		"kubernetes.secrets": false, "kubernetes.env.secretKeyRef": false, "fs.s3a.aws.credentials.provider": false,
		"s3.path.style.access": false, "state.checkpoints.dir": false, "security.ssl.enabled": false,
		"kubernetes.jobmanager.service-account": false, "taskmanager.numberOfTaskSlots": false,
	} {
		if got := IsCredentialKey(key); got != want {
			t.Errorf("IsCredentialKey(%q) = %v, want %v", key, got, want)
		}
	}
	for v, want := range map[string]string{
		"AKIAIOSFODNN7EXAMPLE":                 "an AWS access key id",
		"--key=ASIAIOSFODNN7EXAMPLE":           "an AWS access key id",
		"-----BEGIN OPENSSH PRIVATE KEY-----":  "a private key",
		"ghp_" + strings.Repeat("a1B2", 9):     "a GitHub token",
		"xoxb-1234567890-abcdefghij":           "a Slack token",
		"s3://flink-state/commerce/checkpoint": "",
		"arn:aws:iam::111122223333:role/x":     "",
		"AKIA-not-a-key":                       "",
	} {
		if got := SecretValueKind(v); got != want {
			t.Errorf("SecretValueKind(%q) = %q, want %q", v, got, want)
		}
	}
}
