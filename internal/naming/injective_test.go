package naming

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

// jobName is the Flink operator's rule for FlinkDeployment (job) names.
var jobName = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,43}[a-z0-9])?$`)

// TestNodePoolIsInjective is the argument that no two jobs share a pool:
//
//  1. A name that fits is "<namespace>.<job>" verbatim. Namespaces and job
//     names hold no dot, so it holds exactly one and splits back into the
//     pair: two pairs that fit never share a name.
//  2. A cut name holds no dot (the dot becomes a dash), so it never equals
//     a name that fits, whatever a job is called.
//  3. Two cut names are equal only if their SHA-256 prefixes of the full
//     "<namespace>.<job>" are, which for different pairs is a hash
//     collision; rendering rejects two objects with one name, so it cannot
//     merge pools silently either.
//
// The test checks each step on adversarial pairs: crafted job names that
// copy another pair's cut name, and random pairs over a tiny alphabet so
// that prefixes collide as often as possible.
func TestNodePoolIsInjective(t *testing.T) {
	seen := map[string][2]string{}
	check := func(ns, job string) {
		t.Helper()
		if len(validation.IsDNS1123Label(ns)) > 0 || !jobName.MatchString(job) {
			return // not a pair a render accepts
		}
		name := NodePool(ns, job)
		if errs := validation.IsValidLabelValue(name); len(errs) > 0 {
			t.Fatalf("NodePool(%q, %q) = %q is not a label value: %v", ns, job, name, errs)
		}
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			t.Fatalf("NodePool(%q, %q) = %q is not an object name: %v", ns, job, name, errs)
		}
		fits := len(ns)+1+len(job) <= MaxLabelValue
		if dots := strings.Count(name, "."); fits && dots != 1 || !fits && dots != 0 {
			t.Fatalf("NodePool(%q, %q) = %q has %d dots", ns, job, name, dots)
		}
		if prev, ok := seen[name]; ok && prev != [2]string{ns, job} {
			t.Fatalf("collision: %q and %q both map to %q", prev, [2]string{ns, job}, name)
		}
		seen[name] = [2]string{ns, job}
	}

	// Crafted: for every cut name, try every way a job (or namespace) could
	// be named to reproduce it.
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 300; i++ {
		ns := randomLabel(rng, "abc-", 20+rng.IntN(44))
		job := randomJob(rng, "abc-", 10+rng.IntN(36))
		check(ns, job)
		cut := NodePool(ns, job)
		for k := 1; k < len(cut); k++ {
			check(cut[:k], cut[k:])             // the cut name split anywhere
			check(cut[:k], cut[k+1:])           // ... dropping one character
			check(ns, cut[min(k, len(cut)-1):]) // the same namespace, a job named like the tail
		}
		if d := strings.IndexByte(cut, '.'); d > 0 {
			check(cut[:d], cut[d+1:])
		}
	}
	// Random pairs over two letters and a dash: shared prefixes everywhere.
	for i := 0; i < 40000; i++ {
		check(randomLabel(rng, "ab-", 1+rng.IntN(63)), randomJob(rng, "ab-", 1+rng.IntN(45)))
	}
	if len(seen) < 30000 {
		t.Fatalf("only %d distinct pairs checked", len(seen))
	}
	t.Logf("%d distinct (namespace, job) pairs, each with a name of its own", len(seen))
}

func randomLabel(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	s := strings.Trim(string(b), "-")
	if s == "" {
		return "a"
	}
	return s
}

func randomJob(rng *rand.Rand, alphabet string, n int) string {
	s := strings.TrimLeft(randomLabel(rng, alphabet, n), "0123456789-")
	if s == "" {
		return "a"
	}
	return s
}
