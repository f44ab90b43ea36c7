// Package flinkcrd knows what each Flink Kubernetes Operator release's CRDs
// accept: which spec fields and enum values FlinkDeployment, FlinkSessionJob,
// FlinkStateSnapshot and FlinkBlueGreenDeployment have, release by release.
// The facts (facts.txt) are generated from the upstream CRDs themselves
// (go generate, see gen/); Check walks a rendered object against them.
package flinkcrd

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Group is the API group of the operator's custom resources.
const Group = "flink.apache.org"

// Release is an operator minor release; patch releases share their minor's CRDs.
type Release struct{ Major, Minor int }

// String is "1.13".
func (r Release) String() string { return fmt.Sprintf("%d.%d", r.Major, r.Minor) }

// Less orders releases.
func (r Release) Less(o Release) bool {
	return r.Major < o.Major || r.Major == o.Major && r.Minor < o.Minor
}

// IsZero tells a Release that is not set.
func (r Release) IsZero() bool { return r == Release{} }

// ParseRelease reads "1.13", "1.13.0", "v1.13.2" or "1.13.x" as release 1.13.
func ParseRelease(v string) (Release, bool) {
	parts := strings.SplitN(strings.TrimPrefix(strings.TrimSpace(v), "v"), ".", 3)
	if len(parts) < 2 {
		return Release{}, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || major < 0 || minor < 0 {
		return Release{}, false
	}
	return Release{major, minor}, true
}

// Shape is what a CRD accepts at a field path.
type Shape string

const (
	Object      Shape = "object"  // named properties
	Map         Shape = "map"     // any keys; values at path.*
	Array       Shape = "array"   // items at path[]
	String      Shape = "string"  // scalars
	Integer     Shape = "integer" //
	Number      Shape = "number"  //
	Boolean     Shape = "boolean" //
	Open        Shape = "open"    // x-kubernetes-preserve-unknown-fields: anything
	PodTemplate Shape = "pod"     // a Kubernetes pod template, not compared across releases
)

// fact says a path (or an enum value at a path, when Value is set) exists
// with a shape from release Since up to Until (zero: still in the newest).
type fact struct {
	Kind, Path, Value string
	Shape             Shape
	Since, Until      Release
}

func (f fact) in(r Release) bool {
	return !r.Less(f.Since) && (f.Until.IsZero() || !f.Until.Less(r))
}

//go:generate go run ./gen -crds ../../../shared/crds -o facts.txt

//go:embed facts.txt
var factsText string

// table indexes the facts by kind and path.
type table struct {
	releases []Release
	paths    map[string][]fact // kind + " " + path
	values   map[string][]fact // kind + " " + path + "=" + value
	enums    map[string]bool   // kind + " " + path: the path has an enum
}

var loadTable = sync.OnceValue(func() *table {
	t, err := parseFacts(factsText)
	if err != nil {
		panic(fmt.Sprintf("flinkcrd: the embedded facts do not parse: %v", err))
	}
	return t
})

// Releases lists the operator releases the facts cover, oldest first.
func Releases() []Release { return slices.Clone(loadTable().releases) }

// Kinds lists the kinds the facts cover.
func Kinds() []string {
	seen := map[string]bool{}
	var out []string
	for k := range loadTable().paths {
		kind, _, _ := strings.Cut(k, " ")
		if !seen[kind] {
			seen[kind] = true
			out = append(out, kind)
		}
	}
	slices.Sort(out)
	return out
}

// Covered maps a pinned release onto the facts: a release newer than the
// newest known is read as the newest (its CRDs are assumed to keep every
// field), one older than the oldest as the oldest. ok is false when no
// facts are loaded.
func Covered(r Release) (Release, bool) {
	rs := loadTable().releases
	if len(rs) == 0 {
		return Release{}, false
	}
	if r.Less(rs[0]) {
		return rs[0], true
	}
	if rs[len(rs)-1].Less(r) {
		return rs[len(rs)-1], true
	}
	return r, true
}

// EnumValues lists the values a release's CRD allows at an enum path of a
// kind, in the CRD's order of first appearance; nil when the path has no enum.
func EnumValues(kind, path string, r Release) []string {
	t := loadTable()
	r, _ = Covered(r)
	var out []string
	for key, fs := range t.values {
		if !strings.HasPrefix(key, kind+" "+path+"=") {
			continue
		}
		for _, f := range fs {
			if f.in(r) {
				out = append(out, f.Value)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// ValueSince is the first release whose CRD allows value at an enum path of
// a kind; ok is false when none does.
func ValueSince(kind, path, value string) (Release, bool) {
	fs := loadTable().values[kind+" "+path+"="+value]
	if len(fs) == 0 {
		return Release{}, false
	}
	return fs[0].Since, true
}

// lookup returns the fact of a path in a release, if the release has it.
func (t *table) lookup(kind, path string, r Release) (fact, bool) {
	for _, f := range t.paths[kind+" "+path] {
		if f.in(r) {
			return f, true
		}
	}
	return fact{}, false
}

func parseFacts(text string) (*table, error) {
	t := &table{paths: map[string][]fact{}, values: map[string][]fact{}, enums: map[string]bool{}}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if fields[0] == "releases" {
			for _, s := range fields[1:] {
				r, ok := ParseRelease(s)
				if !ok {
					return nil, fmt.Errorf("line %d: release %q", n+1, s)
				}
				t.releases = append(t.releases, r)
			}
			continue
		}
		// kind path shape since [until]   or   kind path=value since [until]
		f := fact{Kind: fields[0]}
		rest := fields[2:]
		if path, value, isValue := strings.Cut(fields[1], "="); isValue {
			f.Path, f.Value = path, value
		} else if len(rest) > 0 {
			f.Path, f.Shape, rest = fields[1], Shape(rest[0]), rest[1:]
		}
		if len(rest) < 1 || len(rest) > 2 {
			return nil, fmt.Errorf("line %d: %q", n+1, line)
		}
		var ok bool
		if f.Since, ok = ParseRelease(rest[0]); !ok {
			return nil, fmt.Errorf("line %d: release %q", n+1, rest[0])
		}
		if len(rest) == 2 {
			if f.Until, ok = ParseRelease(rest[1]); !ok {
				return nil, fmt.Errorf("line %d: release %q", n+1, rest[1])
			}
		}
		if f.Value != "" {
			key := f.Kind + " " + f.Path + "=" + f.Value
			t.values[key] = append(t.values[key], f)
			t.enums[f.Kind+" "+f.Path] = true
		} else {
			key := f.Kind + " " + f.Path
			t.paths[key] = append(t.paths[key], f)
		}
	}
	return t, nil
}

// The operator's kinds.
const (
	KindFlinkDeployment          = "FlinkDeployment"
	KindFlinkSessionJob          = "FlinkSessionJob"
	KindFlinkStateSnapshot       = "FlinkStateSnapshot"
	KindFlinkBlueGreenDeployment = "FlinkBlueGreenDeployment"
)

// FieldSince is the first release whose CRD of kind has the spec field at
// path ("spec" for the kind itself); ok is false when none has.
func FieldSince(kind, path string) (Release, bool) {
	fs := loadTable().paths[kind+" "+path]
	if len(fs) == 0 {
		return Release{}, false
	}
	return fs[0].Since, true
}
