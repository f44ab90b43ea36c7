{{/* Fixture chart: every object says it stands in for the upstream chart. */}}
{{- define "fixture.annotations" -}}
krm-flink.io/fixture-chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
krm-flink.io/fixture-note: "stands in for the upstream chart, docs/charts.md"
{{- end }}

{{/* The name every object shares. The upstream chart's naming rule: the
     release name alone when it already says aws-for-fluent-bit, else
     "<release>-aws-for-fluent-bit"; 63 characters at most. */}}
{{- define "aws-for-fluent-bit.fullname" -}}
{{- $release := .Release.Name -}}
{{- $name := ternary $release (printf "%s-%s" $release .Chart.Name) (contains .Chart.Name $release) -}}
{{- $name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "aws-for-fluent-bit.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "aws-for-fluent-bit.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* serviceAccount.name when set; otherwise the chart's own account, or the
     namespace's "default" one when the chart creates none. */}}
{{- define "aws-for-fluent-bit.serviceAccountName" -}}
{{- $fallback := ternary (include "aws-for-fluent-bit.fullname" .) "default" (not (not .Values.serviceAccount.create)) -}}
{{- .Values.serviceAccount.name | default $fallback -}}
{{- end }}

{{/* One section of fluent-bit.conf from a dict: "header" (SERVICE, INPUT,
     ...), "settings", a list of [key value] pairs in output order (a list, not
     a dict, since Parsers_File may repeat), and "extra", raw lines appended
     as given. A setting whose value is unset or "" is left out; false and 0
     are values. Keys pad to one column so the hydrated config reads easily. */}}
{{- define "aws-for-fluent-bit.section" -}}
[{{ .header }}]
{{- range $setting := .settings }}
{{- $value := index $setting 1 }}
{{- if and (not (kindIs "invalid" $value)) (ne (toString $value) "") }}
{{ printf "    %-20s %v" (index $setting 0) $value }}
{{- end }}
{{- end }}
{{- with default "" .extra | trim }}
{{ . | indent 4 }}
{{- end }}
{{- end }}
