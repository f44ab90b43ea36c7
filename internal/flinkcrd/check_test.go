package flinkcrd

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

func rel(s string) Release {
	r, ok := ParseRelease(s)
	if !ok {
		panic(s)
	}
	return r
}

// TestCheckAcrossReleases: each version rule of the operator CRDs, per
// release. want is the finding's description, "" for none.
func TestCheckAcrossReleases(t *testing.T) {
	const fd = "FlinkDeployment"
	tests := map[string]struct {
		kind, spec string
		releases   []string
		want       string
	}{
		"savepointRedeployNonce before 1.8": {fd, `{job: {savepointRedeployNonce: 1}}`, []string{"1.7.0", "1.7.2"},
			"spec.job.savepointRedeployNonce field since 1.8"},
		"savepointRedeployNonce from 1.8":         {fd, `{job: {savepointRedeployNonce: 1}}`, []string{"1.8.0", "1.12.1", "1.15.0"}, ""},
		"checkpointTriggerNonce in every release": {fd, `{job: {checkpointTriggerNonce: 1}}`, []string{"1.7.0", "1.15.0"}, ""},
		"autoscalerResetNonce before 1.11": {fd, `{job: {autoscalerResetNonce: 2}}`, []string{"1.7.0", "1.10.0"},
			"spec.job.autoscalerResetNonce field since 1.11"},
		"autoscalerResetNonce from 1.11": {fd, `{job: {autoscalerResetNonce: 2}}`, []string{"1.11.0", "1.15.0"}, ""},
		"ingress.tls before 1.8": {fd, `{ingress: {template: x, tls: [{hosts: [a]}]}}`, []string{"1.7.0"},
			"spec.ingress.tls field since 1.8"},
		"ingress.labels before 1.8": {fd, `{ingress: {labels: {a: b}}}`, []string{"1.7.0"},
			"spec.ingress.labels field since 1.8"},
		"ingress.tls from 1.8": {fd, `{ingress: {template: x, tls: [{hosts: [a], secretName: s}]}}`, []string{"1.8.0", "1.15.0"}, ""},
		"flinkVersion v1_20 before 1.10": {fd, `{flinkVersion: v1_20}`, []string{"1.7.0", "1.9.0"},
			"spec.flinkVersion value v1_20 since 1.10"},
		"flinkVersion v1_20 from 1.10": {fd, `{flinkVersion: v1_20}`, []string{"1.10.0"}, ""},
		"flinkVersion v2_0 before 1.11": {fd, `{flinkVersion: v2_0}`, []string{"1.7.0", "1.10.0"},
			"spec.flinkVersion value v2_0 since 1.11"},
		"flinkVersion v2_0 from 1.11": {fd, `{flinkVersion: v2_0}`, []string{"1.11.0", "1.15.0"}, ""},
		"flinkVersion v2_2 before 1.13": {fd, `{flinkVersion: v2_2}`, []string{"1.12.0"},
			"spec.flinkVersion value v2_2 since 1.13"},
		"flinkVersion no release has": {fd, `{flinkVersion: v9_9}`, []string{"1.7.0", "1.15.0"}, ""},
		"nested flinkConfiguration before 1.13": {fd, `{flinkConfiguration: {high-availability: {type: kubernetes}}}`, []string{"1.7.0", "1.12.0"},
			"spec.flinkConfiguration.high-availability shape string since 1.13"},
		"nested flinkConfiguration from 1.13": {fd, `{flinkConfiguration: {high-availability: {type: kubernetes}}}`, []string{"1.13.0", "1.15.0"}, ""},
		"flat flinkConfiguration everywhere":  {fd, `{flinkConfiguration: {a.b: "1"}}`, []string{"1.7.0", "1.15.0"}, ""},
		"pod templates are not followed":      {fd, `{podTemplate: {spec: {anything: [1]}}, jobManager: {podTemplate: {x: 1}}}`, []string{"1.7.0"}, ""},
		"a field no release has":              {fd, `{job: {jarUri: x}}`, []string{"1.15.0"}, "spec.job.jarUri field since none"},
		"a newer pin reads as the newest":     {fd, `{flinkVersion: v2_2, job: {autoscalerResetNonce: 1}}`, []string{"1.16.0", "2.0.0"}, ""},
		"an older pin reads as the oldest": {fd, `{job: {savepointRedeployNonce: 1}}`, []string{"1.6.0"},
			"spec.job.savepointRedeployNonce field since 1.8"},
		"session job nonce before 1.8": {"FlinkSessionJob", `{deploymentName: d, job: {savepointRedeployNonce: 1}}`, []string{"1.7.0"},
			"spec.job.savepointRedeployNonce field since 1.8"},
		"state snapshot before 1.10": {"FlinkStateSnapshot", `{savepoint: {path: s3://x}}`, []string{"1.9.0"},
			"spec field since 1.10"},
		"state snapshot enum from 1.10": {"FlinkStateSnapshot", `{savepoint: {formatType: NATIVE}, jobReference: {kind: FlinkDeployment, name: j}}`, []string{"1.10.0", "1.15.0"}, ""},
		"blue-green before 1.14": {"FlinkBlueGreenDeployment", `{template: {spec: {flinkVersion: v1_20}}}`, []string{"1.13.0"},
			"spec field since 1.14"},
		"blue-green from 1.14": {"FlinkBlueGreenDeployment", `{configuration: {a: b}, template: {spec: {flinkVersion: v2_2, podTemplate: {x: 1}}}}`, []string{"1.14.0", "1.15.0"}, ""},
		"unknown kind":         {"Other", `{anything: 1}`, []string{"1.7.0"}, ""},
	}
	for name, tc := range tests {
		for _, r := range tc.releases {
			t.Run(name+"/"+r, func(t *testing.T) {
				var spec map[string]any
				if err := yaml.Unmarshal([]byte(tc.spec), &spec); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, f := range Check(tc.kind, rel(r), map[string]any{"spec": spec}) {
					got = append(got, summary(f))
				}
				var want []string
				if tc.want != "" {
					want = []string{tc.want}
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("findings (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func summary(f Finding) string {
	what := "field"
	switch {
	case f.Value != "":
		what = "value " + f.Value
	case f.Shape != "":
		what = "shape " + string(f.Shape)
	}
	since := "none"
	if !f.Since.IsZero() {
		since = f.Since.String()
	}
	return f.PathString() + " " + what + " since " + since
}

func TestDescribe(t *testing.T) {
	tests := map[string]struct {
		f    Finding
		want string
	}{
		"field": {Finding{Path: []string{"spec", "job", "savepointRedeployNonce"}, Since: rel("1.8")},
			`the Flink operator 1.7.0 (spec.components.flink-operator.version on the FlinkPlatform) has no field spec.job.savepointRedeployNonce in its FlinkDeployment CRD; 1.8 is the first release with it`},
		"value": {Finding{Path: []string{"spec", "flinkVersion"}, Value: "v2_0", Since: rel("1.11")},
			`the Flink operator 1.7.0 (spec.components.flink-operator.version on the FlinkPlatform) does not allow "v2_0" at spec.flinkVersion in its FlinkDeployment CRD; 1.11 is the first release that allows it`},
		"shape": {Finding{Path: []string{"spec", "flinkConfiguration", "state.backend"}, Shape: String, Since: rel("1.13")},
			`the Flink operator 1.7.0 (spec.components.flink-operator.version on the FlinkPlatform) takes a string at spec.flinkConfiguration[state.backend] in its FlinkDeployment CRD, not a mapping or list; 1.13 is the first release that takes one`},
		"removed": {Finding{Path: []string{"spec", "old"}, Since: rel("1.1"), Until: rel("1.3")},
			`the Flink operator 1.7.0 (spec.components.flink-operator.version on the FlinkPlatform) has no field spec.old in its FlinkDeployment CRD; releases 1.1 to 1.3 had it`},
		"none": {Finding{Path: []string{"spec", "x", "[0]", "y"}},
			`the Flink operator 1.7.0 (spec.components.flink-operator.version on the FlinkPlatform) has no field spec.x[0].y in its FlinkDeployment CRD; no operator release krm-flink knows has it`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.f.Describe("FlinkDeployment", "1.7.0"); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestEnumValues: what the flinkVersion enum allows per release, as the
// upstream changelog has it.
func TestEnumValues(t *testing.T) {
	base := []string{"v1_13", "v1_14", "v1_15", "v1_16", "v1_17", "v1_18", "v1_19"}
	for r, extra := range map[string][]string{
		"1.7.0": nil, "1.9.3": nil, "1.10.0": {"v1_20"}, "1.12.1": {"v1_20", "v2_0"},
		"1.13.0": {"v1_20", "v2_0", "v2_1", "v2_2"}, "1.15.0": {"v1_20", "v2_0", "v2_1", "v2_2"},
	} {
		want := append(slices.Clone(base), extra...)
		if got := EnumValues("FlinkDeployment", "spec.flinkVersion", rel(r)); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", r, got, want)
		}
	}
	if got, ok := ValueSince("FlinkDeployment", "spec.flinkVersion", "v2_0"); !ok || got != rel("1.11") {
		t.Errorf("v2_0 since %v %v, want 1.11", got, ok)
	}
	if _, ok := ValueSince("FlinkDeployment", "spec.flinkVersion", "v9_9"); ok {
		t.Error("v9_9 has a release")
	}
	if got := strings.Join(Kinds(), " "); got != "FlinkBlueGreenDeployment FlinkDeployment FlinkSessionJob FlinkStateSnapshot" {
		t.Errorf("kinds %s", got)
	}
}
