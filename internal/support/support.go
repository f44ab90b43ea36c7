// Package support checks each component release a platform pins against
// the Kubernetes versions its project supports (table.go holds the table
// and its sources), and flags the aws-for-fluent-bit charts that ship an
// image past its end of life.
package support

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"

	api "github.com/krm-flink/krm-flink/fn/api/v1alpha1"
	"github.com/krm-flink/krm-flink/internal/problem"
)

type component struct {
	project  string
	source   string
	releases []release
}

// release is a range of component versions (a semver constraint) and the
// Kubernetes minors they support, both ends included.
type release struct {
	versions string
	min, max string
}

// Verdict is what the table says about one component version.
type Verdict string

const (
	Supported   Verdict = "supported"
	Unsupported Verdict = "unsupported"
	// NotListed: a version the table does not know (newer or older than it).
	NotListed Verdict = "not in the table"
	// NoRange: the project publishes no Kubernetes range.
	NoRange Verdict = "no published range"
	// NotAVersion: the pin is a range, so no one release can be checked.
	NotAVersion Verdict = "not a single version"
)

// Result is the check of one component version on one Kubernetes version.
type Result struct {
	Component string
	Project   string
	Version   string
	// Range is the supported Kubernetes minors, "1.19-1.24", or "".
	Range   string
	Verdict Verdict
	Source  string
}

// Check looks a component's version up for a Kubernetes version ("1.29",
// "1.29.0" or "v1.29.0").
func Check(name, version, kubeVersion string) Result {
	c := table[name]
	r := Result{Component: name, Project: c.project, Version: version, Source: c.source}
	if len(c.releases) == 0 {
		r.Verdict = NoRange
		return r
	}
	v, err := semver.StrictNewVersion(strings.TrimPrefix(version, "v"))
	if err != nil {
		r.Verdict = NotAVersion
		return r
	}
	kube, err := semver.NewVersion(kubeVersion)
	if err != nil {
		r.Verdict = NotAVersion
		return r
	}
	r.Verdict = NotListed
	for _, rel := range c.releases {
		if !mustConstraint(rel.versions).Check(v) {
			continue
		}
		r.Range = rel.min + "-" + rel.max
		r.Verdict = Unsupported
		if minor(kube) >= minor(semver.MustParse(rel.min)) && minor(kube) <= minor(semver.MustParse(rel.max)) {
			r.Verdict = Supported
		}
		break
	}
	return r
}

// minor orders versions by major and minor, patch ignored.
func minor(v *semver.Version) uint64 { return v.Major()*1000 + v.Minor() }

func mustConstraint(s string) *semver.Constraints {
	c, err := semver.NewConstraint(s)
	if err != nil {
		panic(fmt.Sprintf("support table: %q: %v", s, err))
	}
	return c
}

// Components checks every enabled component of a platform (defaulted, its
// environment's overrides merged), in name order.
func Components(s *api.PlatformSpec) []Result {
	var out []Result
	for _, nc := range s.Components.Each() {
		if nc.Enabled != nil && !*nc.Enabled {
			continue
		}
		out = append(out, Check(nc.Name, nc.Version, s.KubernetesVersion))
	}
	return out
}

// Warnings are the problems of one environment's platform: a component
// release outside its supported Kubernetes range, and an aws-for-fluent-bit
// chart that ships a 2.x image.
func Warnings(file string, ref problem.ObjectRef, s *api.PlatformSpec) problem.List {
	var out problem.List
	for _, r := range Components(s) {
		if r.Verdict == Unsupported {
			out = append(out, problem.Warningf(file, ref, "spec.components."+r.Component+".version",
				"%s %s supports Kubernetes %s, not the platform's kubernetesVersion %s (%s): pin a %s release that supports Kubernetes %s",
				r.Project, r.Version, r.Range, s.KubernetesVersion, r.Source, r.Project, kubeMinor(s.KubernetesVersion)))
		}
	}
	if fb := &s.Components.FluentBit; fb.Enabled == nil || *fb.Enabled {
		if msg := FluentBitImageEOL(fb.Version, fb.Values); msg != "" {
			out = append(out, problem.Warningf(file, ref, "spec.components.fluent-bit.version", "%s", msg))
		}
	}
	return out
}

// FluentBitImageEOL explains why an aws-for-fluent-bit chart version with
// the given values deploys an image past its end of life, or returns "".
// An image.tag in the values decides; else the chart version does.
func FluentBitImageEOL(chartVersion string, values map[string]any) string {
	if img, ok := values["image"].(map[string]any); ok {
		if tag, ok := img["tag"].(string); ok && tag != "" {
			// Tags are 2.32.2.20240425 or 3.2.1: the major is what counts.
			if major, _, _ := strings.Cut(strings.TrimPrefix(tag, "v"), "."); major != "2" {
				return ""
			}
			return fmt.Sprintf("image.tag %s is an aws-for-fluent-bit 2.x image, end of life since %s: use a 3.x image (chart %s or later ships one)",
				tag, fluentBitImage2xEOL, fluentBitFirst3xChart)
		}
	}
	v, err := semver.StrictNewVersion(strings.TrimPrefix(chartVersion, "v"))
	if err != nil || !mustConstraint(fluentBitImage2xCharts).Check(v) {
		return ""
	}
	return fmt.Sprintf("aws-for-fluent-bit chart %s ships the 2.x image, end of life since %s: pin chart %s or later (image 3.x)",
		chartVersion, fluentBitImage2xEOL, fluentBitFirst3xChart)
}

// kubeMinor is "1.29" of "1.29.0".
func kubeMinor(v string) string {
	if k, err := semver.NewVersion(v); err == nil {
		return fmt.Sprintf("%d.%d", k.Major(), k.Minor())
	}
	return v
}
