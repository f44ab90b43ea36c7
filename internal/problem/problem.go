// Package problem describes what is wrong with a user's input: which file,
// which object, which field, and why. Every stage reports through it so the
// CLI and the KRM function print the same precise messages.
package problem

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Severity of a problem; only errors stop a render.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// ObjectRef names the input object a problem is about.
type ObjectRef struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
}

// String renders "Kind namespace/name" or "Kind name".
func (r ObjectRef) String() string {
	if r.Kind == "" && r.Name == "" {
		return ""
	}
	id := r.Name
	if r.Namespace != "" {
		id = r.Namespace + "/" + r.Name
	}
	return strings.TrimSpace(r.Kind + " " + id)
}

// Problem is one finding about the input.
type Problem struct {
	Severity Severity
	File     string
	Object   ObjectRef
	Field    string
	Message  string
}

// String is the one-line form the CLI prints:
// "jobs/orders.yaml: FlinkJobSpec team-a/orders: spec.parallelism: Invalid value: 0: must be at least 1".
func (p Problem) String() string {
	var b strings.Builder
	if p.Severity == Warning {
		b.WriteString("warning: ")
	}
	for _, part := range []string{p.File, p.Object.String(), p.Field} {
		if part != "" {
			b.WriteString(part)
			b.WriteString(": ")
		}
	}
	b.WriteString(p.Message)
	return b.String()
}

// List is a set of problems; as an error it is non-nil only with errors in it.
type List []Problem

// Error joins every problem, one per line, in a stable order. It sorts a
// copy: an error's text must not change the value it describes.
func (l List) Error() string {
	sorted := slices.Clone(l)
	sorted.Sort()
	lines := make([]string, len(sorted))
	for i, p := range sorted {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// HasErrors tells whether any problem has severity error.
func (l List) HasErrors() bool {
	for _, p := range l {
		if p.Severity != Warning {
			return true
		}
	}
	return false
}

// Err returns l as an error when it holds an error, else nil.
func (l List) Err() error {
	if l.HasErrors() {
		return l
	}
	return nil
}

// Warnings returns only the warnings.
func (l List) Warnings() List {
	var out List
	for _, p := range l {
		if p.Severity == Warning {
			out = append(out, p)
		}
	}
	return out
}

// Sort orders problems by file, object, field and message so output is stable.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if x, y := a.Object.String(), b.Object.String(); x != y {
			return x < y
		}
		if a.Field != b.Field {
			return a.Field < b.Field
		}
		return a.Message < b.Message
	})
}

// Errorf makes an error problem about an object.
func Errorf(file string, obj ObjectRef, fieldPath, format string, args ...any) Problem {
	return Problem{Severity: Error, File: file, Object: obj, Field: fieldPath, Message: fmt.Sprintf(format, args...)}
}

// Warningf makes a warning about an object.
func Warningf(file string, obj ObjectRef, fieldPath, format string, args ...any) Problem {
	return Problem{Severity: Warning, File: file, Object: obj, Field: fieldPath, Message: fmt.Sprintf(format, args...)}
}

// FromFieldErrors turns a validation ErrorList into problems about one object.
// prefix rewrites paths, for errors found in a merged environment override.
func FromFieldErrors(file string, obj ObjectRef, errs field.ErrorList) List {
	out := make(List, 0, len(errs))
	for _, e := range errs {
		out = append(out, Problem{
			Severity: Error,
			File:     file,
			Object:   obj,
			Field:    e.Field,
			Message:  strings.TrimPrefix(e.ErrorBody(), e.Field+": "),
		})
	}
	return out
}
