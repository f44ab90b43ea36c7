{{/* Fixture chart: every object says it stands in for the upstream chart. */}}
{{- define "fixture.annotations" -}}
krm-flink.io/fixture-chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
krm-flink.io/fixture-note: "stands in for the upstream chart, docs/charts.md"
{{- end }}

{{- define "karpenter.fullname" -}}
{{- default .Release.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "karpenter.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "karpenter.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "karpenter.serviceAccountName" -}}
{{ default (include "karpenter.fullname" .) .Values.serviceAccount.name }}
{{- end }}
