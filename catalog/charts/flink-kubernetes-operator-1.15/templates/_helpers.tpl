{{/* Fixture chart: every object says it stands in for the upstream chart. */}}
{{- define "fixture.annotations" -}}
krm-flink.io/fixture-chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
krm-flink.io/fixture-note: "stands in for the upstream chart, docs/charts.md"
{{- end }}

{{/* The operator's own objects (Deployment, PodMonitor, hooks) are named
     after the chart, whatever the release is called. */}}
{{- define "flink-operator.name" -}}
{{- .Chart.Name -}}
{{- end }}

{{- define "flink-operator.labels" -}}
app.kubernetes.io/name: {{ include "flink-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "flink-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flink-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* repository:tag (the app version when no tag), or repository@digest
     when image.digest pins it. */}}
{{- define "flink-operator.image" -}}
{{- $ref := printf ":%s" (.Values.image.tag | default .Chart.AppVersion) -}}
{{- with .Values.image.digest }}{{ $ref = printf "@%s" . }}{{ end -}}
{{- printf "%s%s" .Values.image.repository $ref -}}
{{- end }}

{{/* The namespaces the operator and its jobs get RBAC in. */}}
{{- define "flink-operator.watchNamespaces" -}}
{{- if .Values.watchNamespaces -}}
{{ join "," .Values.watchNamespaces }}
{{- else -}}
{{ .Release.Namespace }}
{{- end -}}
{{- end }}

{{/* One side of the webhook ("validator" or "mutator"): its own create
     where the values have that side, else webhook.create. */}}
{{- define "flink-operator.webhookSide" -}}
{{- $w := .root.Values.webhook -}}
{{- if hasKey $w .side -}}
{{- ternary "true" "false" (not (not (get (get $w .side) "create"))) -}}
{{- else -}}
{{- ternary "true" "false" (not (not $w.create)) -}}
{{- end -}}
{{- end }}

{{/* "true" when either side of the webhook is on: the webhook container,
     its Service, keystore Secret and cert-manager objects then render. */}}
{{- define "flink-operator.webhookOn" -}}
{{- if or (eq (include "flink-operator.webhookSide" (dict "root" . "side" "validator")) "true") (eq (include "flink-operator.webhookSide" (dict "root" . "side" "mutator")) "true") -}}
true
{{- end -}}
{{- end }}
