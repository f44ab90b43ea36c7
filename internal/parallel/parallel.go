// Package parallel runs independent work on every core and keeps the
// results in input order, so that output never depends on scheduling.
package parallel

import (
	"runtime"

	"golang.org/x/sync/errgroup"
)

// Map returns f applied to every element of in, at most GOMAXPROCS at a
// time; out[i] is f(in[i]).
func Map[In, Out any](in []In, f func(In) Out) []Out {
	out := make([]Out, len(in))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, v := range in {
		g.Go(func() error {
			out[i] = f(v)
			return nil
		})
	}
	_ = g.Wait()
	return out
}
