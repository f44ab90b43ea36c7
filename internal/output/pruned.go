package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/krm-flink/krm-flink/internal/manifest"
)

// SavepointOnDeletionKey makes the operator take a savepoint before it
// deletes a job; without it a deleted job's state is not kept.
const SavepointOnDeletionKey = "kubernetes.operator.job.savepoint-on-deletion"

// jobsDir is where the job component's files live in an environment folder.
var jobsDir = path.Join("workloads", "jobs")

// PrunedJobWarnings lists, for one environment folder under dir, the jobs
// (FlinkDeployments with a job, FlinkBlueGreenDeployments, FlinkSessionJobs)
// whose generated files the new tree no longer holds and whose
// configuration (a session job's own, or its session cluster's) does not
// set savepoint-on-deletion: deleting them loses their state.
func PrunedJobWarnings(dir, env string, tree Tree) ([]string, error) {
	root := filepath.Join(dir, env, filepath.FromSlash(jobsDir))
	old := map[string]*manifest.Object{}
	var gone []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return filepath.SkipDir
		}
		if err != nil || !d.Type().IsRegular() || filepath.Ext(p) != ".yaml" {
			return err
		}
		if generated, err := IsGenerated(p); err != nil || !generated {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		objs, err := manifest.ParseYAML("jobs", data)
		if err != nil || len(objs) != 1 {
			return nil // not ours to judge: render replaces it anyway
		}
		rel, err := filepath.Rel(filepath.Join(dir, env), p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		old[key] = objs[0]
		if _, kept := tree[key]; !kept {
			gone = append(gone, key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(gone)
	var out []string
	for _, key := range gone {
		o := old[key]
		var conf map[string]string
		switch o.GetKind() {
		case "FlinkDeployment":
			if _, isJob := o.Object["spec"].(map[string]any)["job"]; !isJob {
				continue // a session cluster: its session jobs are what holds state
			}
			conf, _, _ = unstructured.NestedStringMap(o.Object, "spec", "flinkConfiguration")
		case "FlinkBlueGreenDeployment":
			conf, _, _ = unstructured.NestedStringMap(o.Object, "spec", "template", "spec", "flinkConfiguration")
		case "FlinkSessionJob":
			conf, _, _ = unstructured.NestedStringMap(o.Object, "spec", "flinkConfiguration")
			cluster, _, _ := unstructured.NestedString(o.Object, "spec", "deploymentName")
			if c := old[path.Join(path.Dir(key), "flinkdeployment-"+cluster+".yaml")]; c != nil && conf[SavepointOnDeletionKey] == "" {
				conf, _, _ = unstructured.NestedStringMap(c.Object, "spec", "flinkConfiguration")
			}
		default:
			continue
		}
		if conf[SavepointOnDeletionKey] == "true" {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s/%s is removed from environment %s: the operator deletes it without a savepoint, so its state is not kept; to keep it, set %s: \"true\" and render once before removing the job, or take a savepoint first",
			o.GetKind(), o.GetNamespace(), o.GetName(), env, SavepointOnDeletionKey))
	}
	return out, nil
}
