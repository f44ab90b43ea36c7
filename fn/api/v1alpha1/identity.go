package v1alpha1

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// IRSARoleAnnotation is the ServiceAccount annotation EKS reads to give the
// pods of that ServiceAccount an IAM role (IAM Roles for Service Accounts).
const IRSARoleAnnotation = "eks.amazonaws.com/role-arn"

// S3 credential settings for jobs with an IAM role of their own and
// s3WebIdentity on. Flink's S3 filesystems do not all look for the IRSA web
// identity token by default:
//   - flink-s3-fs-hadoop (s3a) tries a fixed provider list without it, so
//     fs.s3a.aws.credentials.provider names the AWS SDK's web identity
//     provider (Flink relocates com.amazonaws class names to its shaded SDK);
//   - flink-s3-fs-presto uses the EC2 instance profile (the node's role)
//     while presto.s3.use-instance-credentials is true, its default; false
//     hands over to the AWS SDK's default chain, which reads the token.
const (
	S3ACredentialsProviderKey   = "fs.s3a.aws.credentials.provider"
	S3AWebIdentityProvider      = "com.amazonaws.auth.WebIdentityTokenCredentialsProvider"
	PrestoInstanceCredentialKey = "presto.s3.use-instance-credentials"
)

// S3WebIdentityConfiguration is the flinkConfiguration s3WebIdentity adds.
func S3WebIdentityConfiguration() map[string]string {
	return map[string]string{
		S3ACredentialsProviderKey:   S3AWebIdentityProvider,
		PrestoInstanceCredentialKey: "false",
	}
}

// iamRoleARN is the form of an IAM role ARN in any AWS partition.
var iamRoleARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`)

// ServiceAccountRef is the identity a job's Flink pods run as: a Kubernetes
// ServiceAccount in the job's namespace, and optionally the IAM role it
// assumes through IRSA. In YAML it is either the ServiceAccount's name
// (serviceAccount: flink) or a mapping {name, iamRoleArn}.
type ServiceAccountRef struct {
	// Name of the ServiceAccount; krm-flink renders it in the job namespace.
	// +required
	Name string `json:"name"`
	// IAMRoleArn is the IAM role the ServiceAccount's pods assume (the
	// eks.amazonaws.com/role-arn annotation on the ServiceAccount).
	// +optional
	IAMRoleArn string `json:"iamRoleArn,omitempty"`

	// raw keeps a value that is neither form, and problems why, so
	// validation reports them with the field's path (a JSON decoder cannot
	// say where a custom type's error happened) and a JSON round trip
	// (environment merges, deep copies) keeps the mistake.
	raw      json.RawMessage
	problems []shapeProblem
}

// shapeProblem is one thing wrong with a serviceAccount value; sub is the
// path below the field ("" for the field itself).
type shapeProblem struct {
	sub, msg  string
	value     any
	forbidden bool
}

// serviceAccountFields is the mapping form as MarshalJSON writes it.
type serviceAccountFields struct {
	Name       string `json:"name"`
	IAMRoleArn string `json:"iamRoleArn,omitempty"`
}

// UnmarshalJSON accepts a name or a {name, iamRoleArn} mapping. Anything
// else is kept and reported by Validate with its path.
func (s *ServiceAccountRef) UnmarshalJSON(data []byte) error {
	*s = ServiceAccountRef{}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) > 0 && trimmed[0] == '"':
		return json.Unmarshal(trimmed, &s.Name)
	case len(trimmed) > 0 && trimmed[0] == '{':
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &fields); err != nil {
			s.keep(trimmed, shapeProblem{msg: "not a mapping: " + err.Error()})
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			v := bytes.TrimSpace(fields[k])
			var target *string
			switch k {
			case "name":
				target = &s.Name
			case "iamRoleArn":
				target = &s.IAMRoleArn
			default:
				s.keep(trimmed, shapeProblem{sub: k, msg: "unknown field: a serviceAccount mapping takes name and iamRoleArn", forbidden: true})
				continue
			}
			if len(v) == 0 || v[0] != '"' || json.Unmarshal(v, target) != nil {
				s.keep(trimmed, shapeProblem{sub: k, msg: fmt.Sprintf("wrong type: got %s, want a string", jsonKind(v)), value: string(v)})
			}
		}
		return nil
	case bytes.Equal(trimmed, []byte("null")):
		return nil
	}
	s.keep(trimmed, shapeProblem{msg: fmt.Sprintf("wrong type: got %s, want the ServiceAccount's name or a mapping {name, iamRoleArn}", jsonKind(trimmed)), value: string(trimmed)})
	return nil
}

func (s *ServiceAccountRef) keep(raw []byte, p shapeProblem) {
	s.raw = append(json.RawMessage(nil), raw...)
	s.problems = append(s.problems, p)
}

// MarshalJSON writes the mapping form, so an environment override such as
// serviceAccount: {iamRoleArn: ...} merges into the job's own; a value that
// was neither form is written back as it came.
func (s ServiceAccountRef) MarshalJSON() ([]byte, error) {
	if s.raw != nil {
		return s.raw, nil
	}
	return json.Marshal(serviceAccountFields{Name: s.Name, IAMRoleArn: s.IAMRoleArn})
}

func jsonKind(data []byte) string {
	switch {
	case len(data) == 0:
		return "nothing"
	case data[0] == '[':
		return "a list"
	case data[0] == '{':
		return "a mapping"
	case data[0] == 'n':
		return "null"
	case data[0] == 't' || data[0] == 'f':
		return "a boolean"
	}
	return "a number"
}

// validate checks the identity at path.
func (s *ServiceAccountRef) validate(path *field.Path) field.ErrorList {
	if s == nil {
		return nil
	}
	var errs field.ErrorList
	for _, p := range s.problems {
		pp := path
		if p.sub != "" {
			pp = path.Child(p.sub)
		}
		switch {
		case p.forbidden:
			errs = append(errs, field.Forbidden(pp, p.msg))
		case p.value != nil:
			errs = append(errs, field.Invalid(pp, p.value, p.msg))
		default:
			errs = append(errs, &field.Error{Type: field.ErrorTypeInvalid, Field: pp.String(), BadValue: field.OmitValueType{}, Detail: p.msg})
		}
	}
	if len(s.problems) > 0 {
		return errs
	}
	// A bad name is reported at the field itself: written as a plain name
	// or as a mapping, the value shown says which.
	if s.Name == "" {
		errs = append(errs, field.Required(path.Child("name"), "the ServiceAccount's name"))
	} else {
		errs = append(errs, dnsSubdomain(path, s.Name)...)
	}
	if s.IAMRoleArn != "" && !iamRoleARN.MatchString(s.IAMRoleArn) {
		errs = append(errs, field.Invalid(path.Child("iamRoleArn"), s.IAMRoleArn, "must be an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>"))
	}
	return errs
}

// unset tells whether s names no identity: absent, or an empty name
// (serviceAccount: ""), which inherits the platform's as before.
func (s *ServiceAccountRef) unset() bool {
	return s == nil || (s.Name == "" && s.IAMRoleArn == "" && s.raw == nil)
}

// copyRef returns a copy of s, or nil.
func copyRef(s *ServiceAccountRef) *ServiceAccountRef {
	if s == nil {
		return nil
	}
	out := *s
	return &out
}
