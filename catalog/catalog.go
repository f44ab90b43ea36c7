// Package catalog embeds krm-flink's built-in charts so the binary renders
// with no network and no files beside it (kpt pipelines get neither).
package catalog

import "embed"

// Charts holds one folder per built-in chart, named after the chart.
//
//go:embed all:charts
var Charts embed.FS

// JobChart is the folder of the built-in FlinkDeployment chart.
const JobChart = "charts/flink-job"
