// Package parallel runs independent steps on a few goroutines and keeps
// the result a sequential loop would give: the first failure in index order
// wins, and a panic reaches the caller's goroutine.
package parallel

import (
	"sync"
	"sync/atomic"
)

// ForEach runs do(0) ... do(n-1) on up to workers goroutines. Indexes are
// handed out in order; once failed(i) reports true for some i, indexes
// above it are no longer started (those below it all were), so the first
// failure in index order is the one a sequential loop would have hit. A
// panic in do is raised again in the caller's goroutine, where the
// command's recovery sees it.
func ForEach(n, workers int, do func(i int), failed func(i int) bool) {
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			do(i)
			if failed(i) {
				return
			}
		}
		return
	}
	var (
		next     atomic.Int64
		stop     atomic.Int64 // lowest failed index + 1, 0 when none
		wg       sync.WaitGroup
		mu       sync.Mutex
		panicked = -1
		panicVal any
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if s := stop.Load(); s != 0 && int64(i) >= s {
					return
				}
				if !run(i, do, func(v any) {
					mu.Lock()
					if panicked < 0 || i < panicked {
						panicked, panicVal = i, v
					}
					mu.Unlock()
				}) || failed(i) {
					for {
						s := stop.Load()
						if s != 0 && s <= int64(i)+1 || stop.CompareAndSwap(s, int64(i)+1) {
							break
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	if panicked >= 0 {
		for i := 0; i < panicked; i++ {
			if failed(i) {
				return // a sequential loop stops here, before the panic
			}
		}
		panic(panicVal)
	}
}

// run calls do(i) and reports false when it panicked.
func run(i int, do func(int), onPanic func(any)) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			onPanic(v)
			ok = false
		}
	}()
	do(i)
	return true
}
