package support

// The support table: which Kubernetes minors each component release
// supports, as its project publishes it. Read on 2026-11-24; update it with
// the sources below when pinning a newer release.
//
// Sources:
//   - cert-manager: "Supported Releases", https://cert-manager.io/docs/releases/
//     (cert-manager/website, content/docs/releases/README.md): the
//     "Supported Kubernetes" column, and "Compatible Kubernetes versions"
//     for old releases.
//   - Karpenter: "Compatibility", https://karpenter.sh/docs/upgrading/compatibility/,
//     generated from aws/karpenter-provider-aws
//     hack/docs/compatibilitymatrix_gen/compatibility.yaml (minK8sVersion and
//     maxK8sVersion per release; 1.0.5 is the first 1.0 patch for 1.31).
//   - Flink Kubernetes Operator: publishes no Kubernetes range. Its
//     "Compatibility Guarantees" page
//     (https://nightlies.apache.org/flink/flink-kubernetes-operator-docs-main/docs/operations/compatibility/)
//     covers the CRDs, the Java API and the Helm chart only.
//   - aws-for-fluent-bit (Fluent Bit): neither the chart (aws/eks-charts,
//     stable/aws-for-fluent-bit) nor the image (aws/aws-for-fluent-bit)
//     publishes a Kubernetes range. The 2.x image line reached end of life
//     on 2026-06-30; chart 0.2.0 (aws/eks-charts #1294, February 2026) is the
//     first to ship a 3.x image (3.2.1), every 0.1.x chart ships 2.x.

var table = map[string]component{
	"cert-manager": {
		project: "cert-manager",
		source:  "cert-manager supported releases, https://cert-manager.io/docs/releases/",
		releases: []release{
			{"1.0.x", "1.11", "1.21"},
			{"1.1.x", "1.11", "1.21"},
			{"1.2.x", "1.16", "1.21"},
			{"1.3.x", "1.16", "1.21"},
			{"1.4.x", "1.16", "1.21"},
			{"1.5.x", "1.16", "1.22"},
			{"1.6.x", "1.17", "1.22"},
			{"1.7.x", "1.18", "1.23"},
			{"1.8.x", "1.19", "1.24"},
			{"1.9.x", "1.20", "1.24"},
			{"1.10.x", "1.20", "1.26"},
			{"1.11.x", "1.21", "1.27"},
			{"1.12.x", "1.22", "1.32"},
			{"1.13.x", "1.21", "1.27"},
			{"1.14.x", "1.24", "1.31"},
			{"1.15.x", "1.25", "1.32"},
			{"1.16.x", "1.25", "1.32"},
			{"1.17.x", "1.29", "1.33"},
			{"1.18.x", "1.29", "1.33"},
			{"1.19.x", "1.31", "1.35"},
			{"1.20.x", "1.32", "1.35"},
			{"1.21.x", "1.33", "1.36"},
		},
	},
	"karpenter": {
		project: "Karpenter",
		source:  "Karpenter compatibility matrix, https://karpenter.sh/docs/upgrading/compatibility/",
		releases: []release{
			{">=0.21.0, <0.25.0", "1.21", "1.24"},
			{">=0.25.0, <0.28.0", "1.21", "1.25"},
			{">=0.28.0, <0.31.0", "1.23", "1.27"},
			{">=0.31.0, <0.34.0", "1.23", "1.28"},
			{">=0.34.0, <0.37.0", "1.23", "1.29"},
			{"0.37.x", "1.23", "1.30"},
			{">=1.0.0, <1.0.5", "1.25", "1.30"},
			{">=1.0.5, <1.2.0", "1.25", "1.31"},
			{">=1.2.0, <1.5.0", "1.25", "1.32"},
			{"1.5.x", "1.26", "1.33"},
			{">=1.6.0, <1.9.0", "1.26", "1.34"},
			{">=1.9.0, <1.13.0", "1.26", "1.35"},
			{">=1.13.0, <1.15.0", "1.26", "1.36"},
		},
	},
	"flink-operator": {
		project: "Flink Kubernetes Operator",
		source:  "Flink Kubernetes Operator compatibility guarantees (no Kubernetes range)",
	},
	"fluent-bit": {
		project: "aws-for-fluent-bit",
		source:  "aws/eks-charts aws-for-fluent-bit (no Kubernetes range)",
	},
}

// fluentBitImage2xCharts are the aws-for-fluent-bit chart versions that
// ship a 2.x image, and fluentBitImage2xEOL the day that line's support ended.
const (
	fluentBitImage2xCharts = "<0.2.0"
	fluentBitImage2xEOL    = "2026-06-30"
	fluentBitFirst3xChart  = "0.2.0"
)
