package v1alpha1

import (
	"strings"
	"testing"
)

func TestComponentDefaults(t *testing.T) {
	p := validPlatform()
	p.Default()
	c := &p.Spec.Components
	for _, nc := range c.Each() {
		d := ComponentDefaults[nc.Name]
		if !*nc.Enabled || nc.Version != d.Version || nc.Namespace != d.Namespace || nc.ReleaseName != d.Chart || nc.Hooks != HooksPlain {
			t.Errorf("%s: %+v", nc.Name, *nc.Component)
		}
	}
	if !*c.FlinkOperator.Webhook || c.FluentBit.Path != DefaultFluentBitPath {
		t.Error("operator webhook or fluent-bit path not defaulted")
	}
	if p.Spec.Nodes.Karpenter.APIVersion != KarpenterV1 {
		t.Errorf("NodePool API %s", p.Spec.Nodes.Karpenter.APIVersion)
	}
	// The NodePool API follows a pinned Karpenter, and the pin follows the API.
	for version, api := range map[string]string{"1.0.6": KarpenterV1, "0.37.0": KarpenterV1beta1} {
		p = validPlatform()
		p.Spec.Components.Karpenter.Version = version
		p.Default()
		if p.Spec.Nodes.Karpenter.APIVersion != api {
			t.Errorf("karpenter %s: NodePool API %s", version, p.Spec.Nodes.Karpenter.APIVersion)
		}
	}
	for api, version := range map[string]string{KarpenterV1: DefaultKarpenterV1Version, KarpenterV1beta1: DefaultKarpenterV1beta1Version} {
		p = validPlatform()
		p.Spec.Nodes.Karpenter.APIVersion = api
		p.Default()
		if p.Spec.Components.Karpenter.Version != version {
			t.Errorf("%s NodePools: karpenter %s", api, p.Spec.Components.Karpenter.Version)
		}
		if errs := p.Validate(); len(errs) != 0 {
			t.Errorf("%s NodePools with the default pin: %v", api, errs)
		}
	}
	// An HTTP repository's chart name defaults to the upstream one.
	p = validPlatform()
	p.Spec.Components.CertManager.Chart = &ChartSource{Repo: "https://charts.jetstack.io"}
	p.Default()
	if p.Spec.Components.CertManager.Chart.Name != "cert-manager" {
		t.Errorf("chart name %q", p.Spec.Components.CertManager.Chart.Name)
	}
}

func TestComponentValidate(t *testing.T) {
	cases := map[string]struct {
		mutate func(*FlinkPlatform)
		want   []string
	}{
		"webhook without cert-manager": {func(p *FlinkPlatform) { p.Spec.Components.CertManager.Enabled = ptr(false) },
			[]string{"FieldValueInvalid spec.components.flink-operator.webhook"}},
		"no webhook, no cert-manager": {func(p *FlinkPlatform) {
			p.Spec.Components.CertManager.Enabled = ptr(false)
			p.Spec.Components.FlinkOperator.Webhook = ptr(false)
		}, nil},
		"operator off, no cert-manager": {func(p *FlinkPlatform) {
			p.Spec.Components.CertManager.Enabled = ptr(false)
			p.Spec.Components.FlinkOperator.Enabled = ptr(false)
		}, nil},
		"karpenter 1.x on v1beta1": {func(p *FlinkPlatform) {
			p.Spec.Nodes.Karpenter.APIVersion = KarpenterV1beta1
			p.Spec.Components.Karpenter.Version = "1.0.0"
		}, []string{"FieldValueInvalid spec.nodes.karpenter.apiVersion"}},
		"karpenter 1.1+ on v1beta1": {func(p *FlinkPlatform) {
			p.Spec.Nodes.Karpenter.APIVersion = KarpenterV1beta1
			p.Spec.Components.Karpenter.Version = "1.1.0"
		}, []string{"FieldValueInvalid spec.nodes.karpenter.apiVersion"}},
		"karpenter 0.34 on v1": {func(p *FlinkPlatform) {
			p.Spec.Nodes.Karpenter.APIVersion = KarpenterV1
			p.Spec.Components.Karpenter.Version = "0.34.0"
		}, []string{"FieldValueInvalid spec.components.karpenter.version"}},
		"karpenter before NodePools": {func(p *FlinkPlatform) { p.Spec.Components.Karpenter.Version = "0.31.0" },
			[]string{"FieldValueInvalid spec.components.karpenter.version"}},
		"karpenter mismatch but no NodePools": {func(p *FlinkPlatform) {
			p.Spec.Nodes.Karpenter.APIVersion = KarpenterV1beta1
			p.Spec.Nodes.Karpenter.Enabled = ptr(false)
			p.Spec.Components.Karpenter.Version = "1.0.0"
		}, nil},
		"path and repo": {func(p *FlinkPlatform) {
			p.Spec.Components.FluentBit.Chart = &ChartSource{Path: "x", Repo: "https://x"}
		}, []string{"FieldValueForbidden spec.components.fluent-bit.chart.repo"}},
		"empty chart": {func(p *FlinkPlatform) { p.Spec.Components.FluentBit.Chart = &ChartSource{} },
			[]string{"FieldValueRequired spec.components.fluent-bit.chart"}},
		"bad scheme": {func(p *FlinkPlatform) { p.Spec.Components.FluentBit.Chart = &ChartSource{Repo: "s3://bucket"} },
			[]string{"FieldValueInvalid spec.components.fluent-bit.chart.repo"}},
		"oci name differs": {func(p *FlinkPlatform) {
			p.Spec.Components.Karpenter.Chart = &ChartSource{Repo: "oci://public.ecr.aws/karpenter/karpenter", Name: "other"}
		}, []string{"FieldValueInvalid spec.components.karpenter.chart.name"}},
		"oci tag in repo": {func(p *FlinkPlatform) {
			p.Spec.Components.Karpenter.Chart = &ChartSource{Repo: "oci://public.ecr.aws/karpenter/karpenter:0.34.0"}
		}, []string{"FieldValueInvalid spec.components.karpenter.chart.repo"}},
		"two versions": {func(p *FlinkPlatform) {
			p.Spec.Components.CertManager.Version = "v1.8.2"
			p.Spec.Components.CertManager.Chart = &ChartSource{Repo: "https://charts.jetstack.io", Version: "v1.9.0"}
		}, []string{"FieldValueInvalid spec.components.cert-manager.chart.version"}},
		"verify without keyring": {func(p *FlinkPlatform) {
			p.Spec.Components.CertManager.Chart = &ChartSource{Repo: "https://charts.jetstack.io", Verify: true}
		}, []string{"FieldValueRequired spec.components.cert-manager.chart.keyring"}},
		"bad digest": {func(p *FlinkPlatform) {
			p.Spec.Components.CertManager.Chart = &ChartSource{Repo: "https://charts.jetstack.io", Digest: "md5:x"}
		}, []string{"FieldValueInvalid spec.components.cert-manager.chart.digest"}},
		"empty drop selector": {func(p *FlinkPlatform) { p.Spec.Components.Karpenter.Drop = []ObjectSelector{{Kind: "Secret"}, {}} },
			[]string{"FieldValueRequired spec.components.karpenter.drop[1]"}},
		"bad hooks": {func(p *FlinkPlatform) { p.Spec.Components.Karpenter.Hooks = "Sometimes" },
			[]string{"FieldValueNotSupported spec.components.karpenter.hooks"}},
		"bad namespace": {func(p *FlinkPlatform) { p.Spec.Components.Karpenter.Namespace = "Kube_System" },
			[]string{"FieldValueInvalid spec.components.karpenter.namespace"}},
		"exclude with comma": {func(p *FlinkPlatform) { p.Spec.Components.FluentBit.ExcludePaths = []string{"/a,/b"} },
			[]string{"FieldValueInvalid spec.components.fluent-bit.excludePaths[0]"}},
		"log group newline": {func(p *FlinkPlatform) { p.Spec.Components.FluentBit.LogGroupName = "/a\n[OUTPUT]" },
			[]string{"FieldValueInvalid spec.components.fluent-bit.logGroupName"}},
		"manifest and values": {func(p *FlinkPlatform) {
			p.Spec.Components.CertManager.Manifest = "cert-manager.yaml"
			p.Spec.Components.CertManager.Values = map[string]any{"installCRDs": true}
		}, []string{"FieldValueForbidden spec.components.cert-manager.values"}},
		"platform reporter port": {func(p *FlinkPlatform) {
			p.Spec.Flink.FlinkConfiguration = map[string]string{PromReporterPortKey: "9250"}
		}, []string{"FieldValueInvalid spec.flink.flinkConfiguration[metrics.reporter.prom.port]"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := validPlatform()
			tc.mutate(p)
			p.Default()
			got := paths(p.Validate())
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestJobReporterPort(t *testing.T) {
	p := validPlatform()
	p.Default()
	for port, wantErr := range map[string]bool{"9999": false, "9250": true} {
		j := validJob()
		j.Spec.FlinkConfiguration = map[string]string{PromReporterPortKey: port}
		j.Default(&p.Spec)
		got := paths(j.Validate(JobContext{Platform: &p.Spec, OperatorVersion: "1.7.0"}))
		has := strings.Contains(strings.Join(got, " "), "spec.flinkConfiguration[metrics.reporter.prom.port]")
		if has != wantErr {
			t.Errorf("port %s: errors %v", port, got)
		}
	}
}

func TestKarpenterAPIVersion(t *testing.T) {
	for v, want := range map[string]string{"0.34.0": "v1beta1", "v0.32.1": "v1beta1", "0.37.7": "v1beta1", "1.0.0": "v1", "1.14.1": "v1", "0.31.0": "", "1.x": ""} {
		got, _ := KarpenterAPIVersion(v)
		if got != want {
			t.Errorf("%s: %q, want %q", v, got, want)
		}
	}
}
