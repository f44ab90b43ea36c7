package krmfn

import (
	"fmt"
	"path"
	"runtime"

	"github.com/kptdev/krm-functions-sdk/go/fn"
	"golang.org/x/sync/errgroup"

	"github.com/krm-flink/krm-flink/internal/manifest"
	"github.com/krm-flink/krm-flink/internal/output"
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
func convertAll[In, T any](objs []In, convert func(In) (T, error)) ([]T, []error) {
	out := make([]T, len(objs))
	errs := make([]error, len(objs))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, o := range objs {
		g.Go(func() error {
			out[i], errs[i] = convert(o)
			return nil
		})
	}
	_ = g.Wait() // the errors are in errs
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
