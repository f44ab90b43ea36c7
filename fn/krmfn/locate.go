package krmfn

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/kptdev/krm-functions-sdk/go/fn"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/problem"
)

const (
	// kpt sets the package's absolute path on every item and on the
	// function config; config.kubernetes.io/path is relative to it.
	packagePathAnnotation = "internal.config.kubernetes.io/package-path"
)

// locate sets the folder the platform's relative paths start from, so they
// mean what they mean in the CLI: the folder the krm-flink.io/base-dir
// annotation names, else the platform file's folder as kpt tells it.
// kustomize gives no path (its origin annotations, when on, are relative
// to the top kustomization, not to the function's folder). Otherwise it is
// the working directory, and messages about relative paths say so and how
// to fix it. It reports whether the platform's folder is known.
func locate(cfg *fn.KubeObject, p *input.Platform) bool {
	if dir := p.Metadata.Annotations[api.BaseDirAnnotation]; dir != "" {
		p.BaseDir = filepath.Clean(dir)
		p.BaseDirFrom = fmt.Sprintf("%s (metadata.annotations[%s]), in the function's working directory", p.BaseDir, api.BaseDirAnnotation)
		return true
	}
	if pkg := cfg.GetAnnotation(packagePathAnnotation); filepath.IsAbs(pkg) {
		if file := fileOf(cfg, ""); file != "" {
			p.BaseDir = filepath.Join(pkg, filepath.Dir(file))
			p.BaseDirFrom = "the platform file's folder " + p.BaseDir
			return true
		}
	}
	p.BaseDir = "."
	p.BaseDirFrom = "the function's working directory: the tool did not say where the platform file is " +
		"(for kustomize, the folder of the kustomization that lists the transformer); set the " + api.BaseDirAnnotation +
		" annotation on the function config to the platform file's folder, relative to that directory"
	return false
}

// missingJobs reports the FlinkJobSpecs in the platform's folder, as
// `krm-flink render -f <folder>` reads it, that are not among the items:
// kustomize reads only the files a resources list names, so a job left
// out of that list would otherwise drop out without a word.
func missingJobs(p *input.Platform, items []*fn.KubeObject) problem.List {
	// By name alone: a kustomization's namespace may have changed the item's.
	have := map[string]bool{}
	for _, item := range items {
		if isJobKind(item) {
			have[item.GetKind()+"/"+item.GetName()] = true
		}
	}
	files, err := input.Files(p.BaseDir)
	if err != nil {
		return problem.List{problem.Errorf(p.File, p.Ref(), "", "cannot look for FlinkJobSpec files in %s: %v", p.BaseDirFrom, err)}
	}
	sort.Strings(files)
	var probs problem.List
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // not ours to report: the CLI would, and the function did not read it
		}
		docs, _ := input.SplitDocuments(f, data)
		for _, d := range docs {
			if d.Type.APIVersion != api.APIVersion || !api.IsInputJobKind(d.Type.Kind) || have[d.Type.Kind+"/"+d.Type.Metadata.Name] {
				continue
			}
			probs = append(probs, problem.Errorf(f, d.Ref(), "",
				"this %s, in the platform's folder %s, is not in the function's input, so it would not be rendered: "+
					"kustomize reads only the files a resources list names; add the file to the kustomization that lists the jobs",
				d.Type.Kind, p.BaseDir))
		}
	}
	return probs
}
