{{/* Chart name, shortened to the 63 characters a label allows. */}}
{{- define "patient-api.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name: the prefix of every object of the release. */}}
{{- define "patient-api.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "patient-api.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "patient-api.labels" -}}
helm.sh/chart: {{ include "patient-api.chart" . }}
app.kubernetes.io/name: {{ include "patient-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of the API's pods. */}}
{{- define "patient-api.selectorLabels" -}}
app.kubernetes.io/name: {{ include "patient-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: api
{{- end }}

{{/* Selector labels of the Redis pod. */}}
{{- define "patient-api.redisSelectorLabels" -}}
app.kubernetes.io/name: {{ include "patient-api.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}

{{- define "patient-api.redisName" -}}
{{- printf "%s-redis" (include "patient-api.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "patient-api.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Where the API finds Redis: this chart's, or the external one. */}}
{{- define "patient-api.redisHost" -}}
{{- if .Values.redis.enabled }}
{{- include "patient-api.redisName" . }}
{{- else }}
{{- required "redis.external.host is required when redis.enabled=false" .Values.redis.external.host }}
{{- end }}
{{- end }}

{{- define "patient-api.redisPort" -}}
{{- if .Values.redis.enabled }}{{ .Values.redis.port }}{{ else }}{{ .Values.redis.external.port }}{{ end }}
{{- end }}

{{/* SCONE_LAS_ADDR: the configured LAS, or the node's own (LAS on the host port). */}}
{{- define "patient-api.sconeLasEnv" -}}
- name: SCONE_LAS_ADDR
{{- if .Values.scone.las }}
  value: {{ .Values.scone.las | quote }}
{{- else }}
  valueFrom:
    fieldRef:
      fieldPath: status.hostIP
{{- end }}
{{- end }}
