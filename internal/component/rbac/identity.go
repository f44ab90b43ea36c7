package rbac

import (
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/resolve"
)

// account is one ServiceAccount the jobs of a namespace run as: its IAM
// role and the first job that named it.
type account struct {
	role string
	job  *resolve.Job
}

// identities collects the ServiceAccounts of the jobs by namespace and name.
// A ServiceAccount has one IAM role: two jobs that name it with different
// roles (one of them none) would silently share whichever role it got, so
// that is a problem naming both jobs.
func identities(jobs []*resolve.Job) (map[string]map[string]account, problem.List) {
	out := map[string]map[string]account{}
	var probs problem.List
	for _, j := range jobs {
		ns, sa := j.Metadata.Namespace, j.Spec.ServiceAccount
		if out[ns] == nil {
			out[ns] = map[string]account{}
		}
		first, seen := out[ns][sa.Name]
		if !seen {
			out[ns][sa.Name] = account{role: sa.IAMRoleArn, job: j}
			continue
		}
		if first.role == sa.IAMRoleArn {
			continue
		}
		field := "spec.serviceAccount"
		if sa.IAMRoleArn != "" {
			field += ".iamRoleArn"
		}
		var ref problem.ObjectRef
		if j.Source != nil {
			ref = j.Source.Ref()
		}
		probs = append(probs, problem.Errorf(sourceFile(j), ref, field,
			"job %s/%s runs as ServiceAccount %s with %s, but job %s/%s%s names the same ServiceAccount with %s: a ServiceAccount has one IAM role; give one of the jobs a ServiceAccount name of its own",
			ns, j.Metadata.Name, sa.Name, roleText(sa.IAMRoleArn), ns, first.job.Metadata.Name, fileNote(first.job), roleText(first.role)))
	}
	return out, probs
}

func roleText(role string) string {
	if role == "" {
		return "no IAM role"
	}
	return "IAM role " + role
}

func sourceFile(j *resolve.Job) string {
	if j.Source == nil {
		return ""
	}
	return j.Source.File
}

func fileNote(j *resolve.Job) string {
	if f := sourceFile(j); f != "" {
		return " (" + f + ")"
	}
	return ""
}
