{{/* Fixture chart: every object says it stands in for the upstream chart. */}}
{{- define "fixture.annotations" -}}
krm-flink.io/fixture-chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
krm-flink.io/fixture-note: "stands in for the upstream chart, docs/charts.md"
{{- end }}

{{/* creator "static" (the static release manifest's build) leaves out
     the labels that say Helm manages the objects. */}}
{{- define "cert-manager.labels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- if eq .Values.creator "helm" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}
{{- end }}

{{- define "cert-manager.fullname" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "cert-manager.image" -}}
{{- printf "%s:%s" .image.repository (default .appVersion .image.tag) -}}
{{- end }}
