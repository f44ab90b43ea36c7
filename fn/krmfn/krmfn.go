// Package krmfn is krm-flink as a KRM function: the functionConfig is the
// FlinkPlatform, FlinkJobSpecs arrive as items, and the rendered objects of
// one environment are added to the items. It works as a kustomize
// transformer and in a kpt pipeline, where re-running replaces what an
// earlier run generated.
package krmfn

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/kptdev/krm-functions-sdk/go/fn"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/input"
	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/parallel"
	"github.com/krm-flink/krm-flink/internal/problem"
	"github.com/krm-flink/krm-flink/internal/render"
)

// OutputDir is the package folder kpt writes generated objects into.
const OutputDir = "rendered"

const (
	localConfigAnnotation = "config.kubernetes.io/local-config"
	functionConfigFile    = "functionConfig"
)

// Processor is the SDK entry point.
var Processor = fn.ResourceListProcessorFunc(Process)

// DebugEnv, set to 1 (or true), makes an internal error print its stack.
const DebugEnv = "KRM_FLINK_DEBUG"

// Process renders the environment the functionConfig selects into rl.Items.
// Input problems become error results naming file, object and field; items
// are then left as they came. A panic becomes an "internal error" result,
// with its stack on stderr only when KRM_FLINK_DEBUG=1.
func Process(rl *fn.ResourceList) (bool, error) {
	return processToItems(rl, debugStack())
}

// debugStack is where an internal error's stack goes: stderr when the user
// asked for it (KRM_FLINK_DEBUG), else nowhere.
func debugStack() io.Writer {
	switch os.Getenv(DebugEnv) {
	case "1", "true", "yes":
		return os.Stderr
	}
	return nil
}

// processToItems is processRecovering with the generated objects appended
// to rl.Items as KubeObjects, as the SDK writes them.
func processToItems(rl *fn.ResourceList, stack io.Writer) (bool, error) {
	generated, ok := processRecovering(rl, stack, nil)
	if !ok {
		return false, nil
	}
	items, err := kubeObjects(generated)
	if err != nil {
		rl.Results = append(rl.Results, internalError(err))
		return false, nil
	}
	rl.Items = append(rl.Items, items...)
	return true, nil
}

// panicHook, when set by a test, runs first in every Process call.
var panicHook func()

// processRecovering runs process and turns a panic into an error result,
// the items restored as they came; stack, when not nil, receives the stack.
func processRecovering(rl *fn.ResourceList, stack io.Writer, texts itemTexts) (generated []*manifest.Object, ok bool) {
	items := append([]*fn.KubeObject(nil), rl.Items...)
	defer func() {
		if v := recover(); v != nil {
			rl.Items = items
			rl.Results = append(rl.Results, &fn.Result{Severity: fn.Error,
				Message: fmt.Sprintf("internal error: %v (a krm-flink bug: please report it; %s=1 prints the stack trace)", v, DebugEnv)})
			if stack != nil {
				fmt.Fprintf(stack, "internal error: %v\n%s", v, debug.Stack())
			}
			generated, ok = nil, false
		}
	}()
	if panicHook != nil {
		panicHook()
	}
	generated, ok, err := process(rl, texts)
	if err != nil {
		rl.Items = items
		rl.Results = append(rl.Results, internalError(err))
		return nil, false
	}
	return generated, ok
}

func internalError(err error) *fn.Result {
	return &fn.Result{Severity: fn.Error, Message: "internal error: " + err.Error()}
}

// process renders into rl: the results, and the items an earlier run did not
// generate (the input kinds marked local config); it returns the objects to
// add. On failure the items stay as they came.
func process(rl *fn.ResourceList, texts itemTexts) ([]*manifest.Object, bool, error) {
	objs, elsewhere, warnings, err := generate(rl, texts)
	for _, w := range warnings {
		rl.Results = append(rl.Results, toResult(w))
	}
	if err != nil {
		var probs problem.List
		if errors.As(err, &probs) {
			probs.Sort()
			for _, p := range probs {
				rl.Results = append(rl.Results, toResult(p))
			}
			return nil, false, nil
		}
		rl.Results = append(rl.Results, internalError(err))
		return nil, false, nil
	}
	// Drop what an earlier run generated, keep everything else.
	kept := rl.Items[:0]
	for _, item := range rl.Items {
		if item.GetLabel(manifest.ManagedByLabel) == manifest.ManagedBy {
			continue
		}
		if isInputKind(item) && item.GetAnnotation(localConfigAnnotation) != "true" {
			// Never deploy the input itself: kustomize drops local config after
			// its transformers, kpt keeps it as a file.
			delete(texts, item)
			if err := item.SetAnnotation(localConfigAnnotation, "true"); err != nil {
				return nil, false, err
			}
		}
		kept = append(kept, item)
	}
	rl.Items = kept
	// The user's objects of other environments stay in the package but out
	// of this environment's output: kustomize drops local config, kpt keeps
	// the file.
	for _, item := range elsewhere {
		delete(texts, item)
		if err := item.SetAnnotation(localConfigAnnotation, "true"); err != nil {
			return nil, false, err
		}
	}
	return objs, true, nil
}

// generate renders the environment; it returns the objects to add and the
// user's own items that belong to other environments.
// texts, when not nil, receives the text of every item read.
func generate(rl *fn.ResourceList, texts itemTexts) ([]*manifest.Object, []*fn.KubeObject, problem.List, error) {
	if rl.FunctionConfig == nil || rl.FunctionConfig.IsEmpty() {
		return nil, nil, nil, problem.List{problem.Errorf(functionConfigFile, problem.ObjectRef{}, "",
			"no functionConfig: krm-flink needs its FlinkPlatform as the function's config")}
	}
	platform, err := decodePlatform(rl.FunctionConfig)
	if err != nil {
		return nil, nil, nil, err
	}
	var docs []*input.Document
	var probs problem.List
	if locate(rl.FunctionConfig, platform) {
		probs = append(probs, missingJobs(platform, rl.Items)...)
	}
	own := map[string]*fn.KubeObject{} // the user's own items by object ID
	var inputs []*fn.KubeObject
	for _, item := range rl.Items {
		switch {
		case isJobKind(item):
		case item.IsGVK(api.Group, api.Version, api.KindPlatform):
			continue // kpt hands the function's own config file in as an item
		case !isOwnObject(item):
			continue
		default:
			own[idOf(item)] = item
		}
		inputs = append(inputs, item)
	}
	// Items turn into documents on every core; the documents keep item order.
	type converted struct {
		text  string
		docs  []*input.Document
		probs problem.List
	}
	for i, c := range parallel.Map(inputs, func(item *fn.KubeObject) converted {
		text, d, ps := documents(item)
		return converted{text, d, ps}
	}) {
		if texts != nil {
			texts[inputs[i]] = c.text
		}
		probs = append(probs, c.probs...)
		docs = append(docs, c.docs...)
	}
	set, ps := input.Collect(docs, input.Options{Platform: platform})
	probs = append(probs, ps...)
	env, err := environment(platform)
	if err != nil {
		var ps problem.List
		errors.As(err, &ps)
		return nil, nil, nil, render.Dedupe(append(append(probs, ps...), render.Check(set)...))
	}
	var elsewhere []*fn.KubeObject
	for _, e := range set.Extras {
		if !e.In(env) {
			elsewhere = append(elsewhere, own[e.Object.ID()])
		}
	}
	opts := render.Options{}
	if dir := platform.Metadata.Annotations[api.ChartsDirAnnotation]; dir != "" {
		opts.Sources.ChartsDir = dir
		opts.ChartsDirFrom = "metadata.annotations[" + api.ChartsDirAnnotation + "]"
	}
	// As in the CLI, rendering goes on after input problems, so one run
	// reports them all.
	r, err := render.NewWithOptions(set, opts)
	if err != nil {
		var ps problem.List
		if !errors.As(err, &ps) {
			return nil, nil, nil, err
		}
		return nil, nil, nil, render.Dedupe(append(append(probs, ps...), render.Check(set)...))
	}
	res, err := r.Render(env)
	if err != nil {
		var ps problem.List
		if !errors.As(err, &ps) {
			return nil, nil, nil, err
		}
		return nil, nil, nil, render.Dedupe(append(probs, ps...))
	}
	if probs.HasErrors() {
		return nil, nil, nil, render.Dedupe(append(probs, res.Warnings...))
	}
	// The user's objects are rendered to be checked as the CLI checks them,
	// but here they already are items.
	generated := make([]*manifest.Object, 0, len(res.Objects))
	for _, o := range res.Objects {
		if o.Component != input.ExtraComponent {
			generated = append(generated, o)
		}
	}
	return generated, elsewhere, append(probs.Warnings(), res.Warnings...), nil
}

// isOwnObject tells whether an item is one of the user's objects for the
// overlay: not what krm-flink generated before, not local config, not an
// orchestrator's own file (a Kptfile).
func isOwnObject(item *fn.KubeObject) bool {
	switch {
	case item.GetLabel(manifest.ManagedByLabel) == manifest.ManagedBy,
		item.GetAnnotation(localConfigAnnotation) == "true",
		item.GroupKind().Group == "kpt.dev":
		return false
	}
	return true
}

// idOf is the item's object ID, as manifest.Object.ID makes it.
func idOf(item *fn.KubeObject) string {
	return fmt.Sprintf("%s/%s/%s/%s", item.GroupKind().Group, item.GetKind(), item.GetNamespace(), item.GetName())
}

func decodePlatform(cfg *fn.KubeObject) (*input.Platform, error) {
	_, d, probs := documents(cfg)
	if len(probs) > 0 {
		return nil, probs
	}
	if len(d) != 1 || d[0].Type.APIVersion != api.APIVersion || d[0].Type.Kind != api.KindPlatform {
		return nil, problem.List{problem.Errorf(fileOf(cfg, functionConfigFile), refOf(cfg), "kind",
			"the functionConfig must be a %s (%s), not %s %s", api.KindPlatform, api.APIVersion, cfg.GetAPIVersion(), cfg.GetKind())}
	}
	p, probs := input.DecodePlatform(d[0])
	if len(probs) > 0 {
		return nil, probs
	}
	return p, nil
}

// environment picks the environment to render: the functionConfig's
// krm-flink.io/environment annotation, or the only one the platform defines.
func environment(p *input.Platform) (string, error) {
	if env := p.Metadata.Annotations[api.EnvironmentAnnotation]; env != "" {
		return env, nil
	}
	if len(p.Spec.Environments) == 1 {
		return p.Spec.Environments[0].Name, nil
	}
	names := make([]string, 0, len(p.Spec.Environments))
	for _, e := range p.Spec.Environments {
		names = append(names, e.Name)
	}
	return "", problem.List{problem.Errorf(p.File, p.Ref(), "metadata.annotations["+api.EnvironmentAnnotation+"]",
		"choose the environment to render (one of %s) with this annotation", strings.Join(names, ", "))}
}

// documents turns a KubeObject back into input documents, with the
// orchestrator's bookkeeping annotations left out so strict decoding sees
// only what the user wrote. It also returns the item's text, which is what
// the item writes when it passes through unchanged.
func documents(o *fn.KubeObject) (string, []*input.Document, problem.List) {
	text := o.String()
	docs, probs := input.SplitDocumentsDropping(fileOf(o, ""), []byte(text), api.InputOnlyAnnotation)
	return text, docs, probs
}

func isInputKind(o *fn.KubeObject) bool {
	return isJobKind(o) || o.IsGVK(api.Group, api.Version, api.KindPlatform)
}

// isJobKind tells whether o is a FlinkJobSpec, FlinkSessionSpec or FlinkSessionJobSpec.
func isJobKind(o *fn.KubeObject) bool {
	return o.GetAPIVersion() == api.APIVersion && api.IsInputJobKind(o.GetKind())
}

func fileOf(o *fn.KubeObject, fallback string) string {
	if p := o.PathAnnotation(); p != "" {
		return p
	}
	if p := o.GetAnnotation("config.kubernetes.io/path"); p != "" {
		return p
	}
	return fallback
}

func refOf(o *fn.KubeObject) problem.ObjectRef {
	return problem.ObjectRef{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()}
}

func toResult(p problem.Problem) *fn.Result {
	sev := fn.Error
	if p.Severity == problem.Warning {
		sev = fn.Warning
	}
	r := &fn.Result{Severity: sev, Message: p.Message}
	if p.Object.Kind != "" || p.Object.Name != "" {
		r.ResourceRef = &fn.ResourceRef{APIVersion: p.Object.APIVersion, Kind: p.Object.Kind, Namespace: p.Object.Namespace, Name: p.Object.Name}
	}
	if p.Field != "" {
		r.Field = &fn.Field{Path: p.Field}
	}
	if p.File != "" {
		r.File = &fn.File{Path: p.File}
	}
	return r
}

// ErrorLines are the error results, one line each, as the CLI prints
// problems (file: object: field: message). kustomize shows a failed
// function's stderr and none of its results, so these go there too.
func ErrorLines(results fn.Results) []string {
	var lines []string
	for _, r := range results {
		if r == nil || r.Severity != fn.Error {
			continue
		}
		p := problem.Problem{Severity: problem.Error, Message: r.Message}
		if r.File != nil {
			p.File = r.File.Path
		}
		if r.ResourceRef != nil {
			p.Object = problem.ObjectRef{APIVersion: r.ResourceRef.APIVersion, Kind: r.ResourceRef.Kind,
				Namespace: r.ResourceRef.Namespace, Name: r.ResourceRef.Name}
		}
		if r.Field != nil {
			p.Field = r.Field.Path
		}
		lines = append(lines, p.String())
	}
	return lines
}
