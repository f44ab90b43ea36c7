package krmfn

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/output"
	"github.com/krm-flink/krm-flink/internal/parallel"
)

// ErrFunctionFailure is Execute's error when the run produced error
// results: the output ResourceList is complete and its results say what
// went wrong, so this error only points at them.
var ErrFunctionFailure = errors.New("the function failed; its error results (printed above, and in the output ResourceList) say why")

// Execute is fn.Execute(Processor, r, w) without the SDK's cost: the SDK
// encodes every output item, parses it back and encodes it again, which
// was most of a large run's time and memory. Here the input is parsed once,
// items that pass through are encoded once, and generated objects are
// written as krm-flink writes its files. stack, when not nil, receives the
// stack of an internal error. The ResourceList written is the one the SDK
// would write, up to YAML formatting.
func Execute(r io.Reader, w io.Writer, stack io.Writer) (results fn.Results, err error) {
	rl, err := readResourceList(r)
	if err != nil {
		return nil, err
	}
	original := append([]*fn.KubeObject(nil), rl.Items...)
	texts := itemTexts{}
	generated, ok := processRecovering(rl, stack, texts)
	docs, err := generatedItems(generated)
	if err != nil {
		rl.Items = original // a failed run hands the items back as they came
		rl.Results = append(rl.Results, internalError(err))
		ok, docs = false, nil
	}
	if err := writeResourceList(w, rl, texts, docs); err != nil {
		return rl.Results, fmt.Errorf("cannot write the output ResourceList: %w", err)
	}
	if !ok {
		return rl.Results, ErrFunctionFailure
	}
	return rl.Results, nil
}

// readResourceList reads the whole input and parses it. Both failures
// leave nothing to attach a result to, so they are plain errors.
func readResourceList(r io.Reader) (*fn.ResourceList, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("cannot read the function input: %w", err)
	}
	rl, err := fn.ParseResourceList(data)
	if err != nil {
		return nil, fmt.Errorf("the function input is not a ResourceList (YAML of kind ResourceList whose items are objects): %w", err)
	}
	return rl, nil
}

// generatedItems renders the generated objects as the files krm-flink
// writes, with kpt's path annotation, on GOMAXPROCS goroutines.
func generatedItems(objs []*manifest.Object) ([][]byte, error) {
	docs, errs := convertAll(objs, generatedItem)
	return docs, errors.Join(errs...) // in the objects' order
}

func generatedItem(o *manifest.Object) ([]byte, error) {
	// A copy of the maps on the way to the annotation, not a deep copy.
	obj := maps.Clone(o.Object)
	meta, _ := obj["metadata"].(map[string]any)
	meta = maps.Clone(meta)
	ann, _ := meta["annotations"].(map[string]any)
	ann = maps.Clone(ann)
	if ann == nil {
		ann = map[string]any{}
	}
	ann[fn.PathAnnotation] = path.Join(OutputDir, output.Path(o))
	meta["annotations"] = ann
	obj["metadata"] = meta
	data, err := output.Marshal(manifest.New(o.Component, obj))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.ID(), err)
	}
	return data, nil
}

// writeResourceList writes the ResourceList as kyaml writes it: items
// (passed-through ones, then the generated documents), the function config
// and the results.
func writeResourceList(w io.Writer, rl *fn.ResourceList, texts itemTexts, generated [][]byte) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n")
	if len(rl.Items)+len(generated) == 0 {
		bw.WriteString("items: []\n")
	} else {
		bw.WriteString("items:\n")
	}
	for _, item := range passedThrough(rl.Items, texts) {
		writeIndented(bw, "- ", item)
	}
	for _, doc := range generated {
		writeIndented(bw, "- ", doc)
	}
	if rl.FunctionConfig != nil && !rl.FunctionConfig.IsEmpty() {
		bw.WriteString("functionConfig:\n")
		writeIndented(bw, "  ", []byte(rl.FunctionConfig.String()))
	}
	if len(rl.Results) > 0 {
		results, err := yaml.Marshal(rl.Results)
		if err != nil {
			return err
		}
		// A sequence, at the same column as its key.
		bw.WriteString("results:\n")
		bw.Write(results)
	}
	return bw.Flush()
}

// writeIndented writes a YAML document as a block nested two columns in:
// its first line after first ("- " for a sequence item), the others after
// two spaces. Empty lines stay empty, so block scalars keep their content.
func writeIndented(w *bufio.Writer, first string, doc []byte) {
	doc = bytes.TrimPrefix(doc, []byte("---\n"))
	for i, line := range bytes.SplitAfter(doc, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		switch {
		case i == 0:
			w.WriteString(first)
		case len(line) > 1:
			w.WriteString("  ")
		}
		w.Write(line)
	}
	if len(doc) > 0 && doc[len(doc)-1] != '\n' {
		w.WriteByte('\n')
	}
}

// itemTexts holds the text of input items read while rendering, so that
// an item that passes through unchanged is not encoded twice. Whoever
// changes an item deletes its text.
type itemTexts map[*fn.KubeObject]string

// passedThrough encodes the items the function passes through, on every
// core, in item order; an item with a text in texts is not encoded again.
func passedThrough(items fn.KubeObjects, texts itemTexts) [][]byte {
	return parallel.Map(items, func(item *fn.KubeObject) []byte {
		if text, ok := texts[item]; ok {
			return []byte(text)
		}
		return []byte(item.String())
	})
}
