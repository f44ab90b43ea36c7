// Package naming derives Kubernetes names from user input deterministically.
// Names that would overflow a limit are truncated and suffixed with a hash of
// the full name, so two different inputs never map to the same object name.
package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// MaxLabelValue is Kubernetes' limit for label values and DNS labels; it is
// also the limit for names that end up in label values, such as NodePools
// (Karpenter labels each node karpenter.sh/nodepool=<name>).
const MaxLabelValue = 63

const hashLen = 10

// Fit joins parts with "-" and, when the result is longer than max, cuts it
// and appends "-" plus the first 10 hex digits of the SHA-256 of the full
// name. Inputs are expected to be DNS labels already.
func Fit(max int, parts ...string) string {
	full := strings.Join(parts, "-")
	if len(full) <= max {
		return full
	}
	sum := sha256.Sum256([]byte(full))
	keep := max - hashLen - 1
	head := strings.TrimRight(full[:keep], "-.")
	return head + "-" + hex.EncodeToString(sum[:])[:hashLen]
}

// NodePool names the Karpenter NodePool (and node label/taint value) of one
// job: "<namespace>.<job>". Neither part may hold a dot, so the dot keeps
// "a-b"/"c" and "a"/"b-c" apart, and every name that fits holds exactly one
// dot. A name that does not fit is cut and hashed (Fit) with its dot turned
// into a dash: a cut name holds no dot, so no job, however it is named, can
// get the cut name of another (a job named "<prefix>-<hash>" cannot
// reproduce it). Two cut names are equal only if SHA-256 prefixes of two
// different "<namespace>.<job>" collide; rendering rejects two objects with
// one name, so even that never merges two jobs' pools.
func NodePool(namespace, job string) string {
	full := namespace + "." + job
	if len(full) <= MaxLabelValue {
		return full
	}
	sum := sha256.Sum256([]byte(full))
	head := strings.TrimRight(strings.ReplaceAll(full[:MaxLabelValue-hashLen-1], ".", "-"), "-")
	return head + "-" + hex.EncodeToString(sum[:])[:hashLen]
}
