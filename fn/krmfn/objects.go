package krmfn

import (
	"fmt"
	"path"

	"github.com/kptdev/krm-functions-sdk/go/fn"

	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/output"
	"github.com/krm-flink/krm-flink/internal/parallel"
)

// kubeObjects turns rendered objects into the function's output items: the
// YAML krm-flink writes to files, read back by the SDK, with kpt's path
// annotation. Objects are converted on GOMAXPROCS goroutines (the SDK's
// YAML parse is most of the cost); the items keep the objects' order and
// the first failing object's error is returned.
func kubeObjects(objs []*manifest.Object) ([]*fn.KubeObject, error) {
	items, errs := convertAll(objs, kubeObject)
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return items, nil
}

// convertAll converts every object on GOMAXPROCS goroutines; the results
// and errors keep the objects' order.
func convertAll[T any](objs []*manifest.Object, convert func(*manifest.Object) (T, error)) ([]T, []error) {
	type result struct {
		v   T
		err error
	}
	results := parallel.Map(objs, func(o *manifest.Object) result {
		v, err := convert(o)
		return result{v, err}
	})
	out := make([]T, len(objs))
	errs := make([]error, len(objs))
	for i, r := range results {
		out[i], errs[i] = r.v, r.err
	}
	return out, errs
}

func kubeObject(o *manifest.Object) (*fn.KubeObject, error) {
	data, err := output.Marshal(o)
	if err != nil {
		return nil, err
	}
	ko, err := fn.ParseKubeObject(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.ID(), err)
	}
	if err := ko.SetAnnotation(fn.PathAnnotation, path.Join(OutputDir, output.Path(o))); err != nil {
		return nil, err
	}
	return ko, nil
}
