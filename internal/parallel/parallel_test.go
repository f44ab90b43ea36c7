package parallel

import (
	"fmt"
	"sync/atomic"
	"testing"
)

func TestForEachFirstFailureWins(t *testing.T) {
	for _, workers := range []int{1, 2, 8} {
		for rep := 0; rep < 50; rep++ {
			const n = 40
			errs := make([]error, n)
			var ran atomic.Int64
			ForEach(n, workers, func(i int) {
				ran.Add(1)
				if i == 7 || i == 23 || i == 30 {
					errs[i] = fmt.Errorf("job %d", i)
				}
			}, func(i int) bool { return errs[i] != nil })
			for i := 0; i < 7; i++ {
				if errs[i] != nil {
					t.Fatalf("job %d failed", i)
				}
			}
			if errs[7] == nil {
				t.Fatalf("%d workers: job 7 did not run (ran %d)", workers, ran.Load())
			}
			// Jobs before the first failure all ran; the caller returns errs[7].
			if workers == 1 && ran.Load() != 8 {
				t.Errorf("sequential: ran %d jobs, want 8", ran.Load())
			}
		}
	}
}

func TestForEachRunsEverything(t *testing.T) {
	const n = 1000
	done := make([]int, n)
	ForEach(n, 4, func(i int) { done[i]++ }, func(int) bool { return false })
	for i, d := range done {
		if d != 1 {
			t.Fatalf("job %d ran %d times", i, d)
		}
	}
}

func TestForEachPanicReachesTheCaller(t *testing.T) {
	defer func() {
		if v := recover(); v != "boom 5" {
			t.Fatalf("recovered %v, want boom 5", v)
		}
	}()
	ForEach(20, 4, func(i int) {
		if i == 5 || i == 15 {
			panic(fmt.Sprintf("boom %d", i))
		}
	}, func(int) bool { return false })
	t.Fatal("no panic")
}

func TestForEachFailureBeforePanic(t *testing.T) {
	errs := make([]error, 20)
	ForEach(20, 4, func(i int) {
		if i == 2 {
			errs[i] = fmt.Errorf("job 2")
		}
		if i == 9 {
			panic("boom")
		}
	}, func(i int) bool { return errs[i] != nil })
	if errs[2] == nil {
		t.Fatal("job 2 did not run")
	}
}
