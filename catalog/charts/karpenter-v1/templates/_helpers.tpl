{{/* Fixture chart: every object says it stands in for the upstream chart. */}}
{{- define "fixture.annotations" -}}
krm-flink.io/fixture-chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
krm-flink.io/fixture-note: "stands in for the upstream chart, docs/charts.md"
{{- end }}

{{/* Objects are named after the release; nameOverride replaces it. */}}
{{- define "karpenter.fullname" -}}
{{- .Values.nameOverride | default .Release.Name | trunc 63 | trimSuffix "-" -}}
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

{{/* serviceAccount.name, or the objects' shared name when it is empty. */}}
{{- define "karpenter.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default (include "karpenter.fullname" .) -}}
{{- end }}
