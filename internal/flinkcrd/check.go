package flinkcrd

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Finding is one field or value of a rendered object that the pinned
// operator release's CRD does not accept, while another release's does.
type Finding struct {
	// Path is the field in the rendered object, as segments: field names,
	// map keys and list indexes ("[0]").
	Path []string
	// Value is the enum value that is not allowed; empty for a field.
	Value string
	// Shape is set when the field exists but the release takes another
	// shape there (a mapping where it takes a string): what it takes.
	Shape Shape
	// Since is the first release that accepts it; Until, when set, the
	// last (the field was removed after it).
	Since, Until Release
}

// PathString writes Path as a field path: spec.job.savepointRedeployNonce,
// spec.flinkConfiguration[high-availability.type].
func (f Finding) PathString() string { return FormatPath(f.Path) }

// FormatPath writes path segments as a field path, keys holding dots in
// brackets as Kubernetes field paths do.
func FormatPath(path []string) string {
	var b strings.Builder
	for _, s := range path {
		switch {
		case strings.HasPrefix(s, "["):
			b.WriteString(s)
		case strings.ContainsAny(s, ".[]/ ") || s == "":
			b.WriteString("[" + s + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

// Describe says what the pinned release lacks and which releases have it:
// "the Flink operator 1.7.0 (spec.components.flink-operator.version on the
// FlinkPlatform) has no field spec.job.savepointRedeployNonce in its
// FlinkDeployment CRD; 1.8 is the first release with it".
func (f Finding) Describe(kind, pinned string) string {
	op := fmt.Sprintf("the Flink operator %s (spec.components.flink-operator.version on the FlinkPlatform)", pinned)
	var msg, with string
	switch {
	case f.Value != "":
		msg = fmt.Sprintf("%s does not allow %q at %s in its %s CRD", op, f.Value, f.PathString(), kind)
		with = "that allows it"
	case f.Shape != "":
		msg = fmt.Sprintf("%s takes a %s at %s in its %s CRD, not a mapping or list", op, f.Shape, f.PathString(), kind)
		with = "that takes one"
	default:
		msg = fmt.Sprintf("%s has no field %s in its %s CRD", op, f.PathString(), kind)
		with = "with it"
	}
	switch {
	case f.Since.IsZero():
		return msg + "; no operator release krm-flink knows has it"
	case !f.Until.IsZero():
		return msg + fmt.Sprintf("; releases %s to %s had it", f.Since, f.Until)
	}
	return msg + fmt.Sprintf("; %s is the first release %s", f.Since, with)
}

// Check walks the spec of a rendered object of kind against the CRD of
// release r and returns what that release does not accept but another
// release does (a field, an enum value, a mapping where the release takes
// a string), or what no release has at all (Since zero). Pod templates
// are not followed. An unknown kind yields nothing; a kind the release
// predates yields one finding at "spec".
func Check(kind string, r Release, obj map[string]any) []Finding {
	t := loadTable()
	if _, known := t.paths[kind+" spec"]; !known {
		return nil
	}
	spec, ok := obj["spec"]
	if !ok {
		return nil
	}
	r, _ = Covered(r)
	c := &checker{t: t, kind: kind, r: r}
	c.walk([]string{"spec"}, "spec", spec)
	return c.out
}

type checker struct {
	t    *table
	kind string
	r    Release
	out  []Finding
}

// walk checks value at path (segments) whose schema path (with * for map
// keys and [] for list items) is schemaPath.
func (c *checker) walk(path []string, schemaPath string, value any) {
	f, ok := c.t.lookup(c.kind, schemaPath, c.r)
	if !ok {
		c.missing(path, schemaPath)
		return
	}
	switch f.Shape {
	case Open, PodTemplate:
		return
	}
	switch v := value.(type) {
	case map[string]any:
		switch f.Shape {
		case Object:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				c.walk(append(slices.Clip(path), k), schemaPath+"."+k, v[k])
			}
		case Map:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				c.walk(append(slices.Clip(path), k), schemaPath+".*", v[k])
			}
		default:
			c.shape(path, schemaPath, f.Shape, Object, Map)
		}
	case []any:
		if f.Shape != Array {
			c.shape(path, schemaPath, f.Shape, Array)
			return
		}
		for i, item := range v {
			c.walk(append(slices.Clip(path), fmt.Sprintf("[%d]", i)), schemaPath+"[]", item)
		}
	case string:
		if !c.t.enums[c.kind+" "+schemaPath] {
			return
		}
		for _, vf := range c.t.values[c.kind+" "+schemaPath+"="+v] {
			if vf.in(c.r) {
				return
			}
		}
		if vs := c.t.values[c.kind+" "+schemaPath+"="+v]; len(vs) > 0 {
			c.out = append(c.out, span(Finding{Path: path, Value: v}, vs, c.r))
		}
		// A value no release allows is the CRD's own enum error, not a
		// version matter: the object is left to the API server's checks.
	}
}

// missing reports a field the release lacks, with the releases that have it.
func (c *checker) missing(path []string, schemaPath string) {
	fs := c.t.paths[c.kind+" "+schemaPath]
	c.out = append(c.out, span(Finding{Path: path}, fs, c.r))
}

// shape reports a value of another shape than the release takes, when a
// release takes one of the shapes the value has there, or takes anything
// at an enclosing field (x-kubernetes-preserve-unknown-fields).
func (c *checker) shape(path []string, schemaPath string, has Shape, wants ...Shape) {
	var fs []fact
	for _, f := range c.t.paths[c.kind+" "+schemaPath] {
		if f.Shape == Open || slices.Contains(wants, f.Shape) {
			fs = append(fs, f)
		}
	}
	for p := parentPath(schemaPath); p != ""; p = parentPath(p) {
		for _, f := range c.t.paths[c.kind+" "+p] {
			if f.Shape == Open {
				fs = append(fs, f)
			}
		}
	}
	if len(fs) == 0 {
		return // no release takes it: not a version matter
	}
	slices.SortFunc(fs, func(a, b fact) int {
		if a.Since.Less(b.Since) {
			return -1
		}
		if b.Since.Less(a.Since) {
			return 1
		}
		return 0
	})
	c.out = append(c.out, span(Finding{Path: path, Shape: has}, fs, c.r))
}

// parentPath is the schema path one level up: spec.a for spec.a.* or spec.a[].
func parentPath(p string) string {
	if i := strings.LastIndexAny(p, ".["); i > 0 {
		return p[:i]
	}
	return ""
}

// span fills in the releases that accept what r does not: the first newer
// release that does, or else the last older run.
func span(f Finding, fs []fact, r Release) Finding {
	for _, x := range fs {
		if r.Less(x.Since) {
			f.Since = x.Since
			return f
		}
	}
	if len(fs) > 0 {
		last := fs[len(fs)-1]
		f.Since, f.Until = last.Since, last.Until
	}
	return f
}
