{{/*
Expand the name of the chart.
*/}}
{{- define "gitlab-gitops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
*/}}
{{- define "gitlab-gitops.fullname" -}}
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

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "gitlab-gitops.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels every object gets besides the selector labels (used on their own by the test pod, which
must not match the Service's, the PodDisruptionBudget's or the spread constraints' selectors).
*/}}
{{- define "gitlab-gitops.metaLabels" -}}
{{- /* managedBy: set when the objects are rendered for a GitOps controller (make manifests),
which manages them instead of Helm: then no Helm labels. */}}
{{- if not .Values.managedBy }}
helm.sh/chart: {{ include "gitlab-gitops.chart" . }}
{{- end }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Values.managedBy | default .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "gitlab-gitops.labels" -}}
{{ include "gitlab-gitops.metaLabels" . }}
{{ include "gitlab-gitops.selectorLabels" . }}
{{- end }}

{{/*
Selector labels
*/}}
{{- define "gitlab-gitops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gitlab-gitops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of the `helm test` pod: no app.kubernetes.io/name, so no selector of the chart picks it up.
*/}}
{{- define "gitlab-gitops.testSelectorLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: test
{{- end }}

{{/*
Create the name of the service account to use
*/}}
{{- define "gitlab-gitops.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gitlab-gitops.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The container image: repository:tag, the tag defaulting to the chart's appVersion, and @digest
when a digest is given. With a digest and no tag it is repository@digest: the appVersion beside
a digest of another build would mislead (rendered GitOps manifests are by digest alone).
*/}}
{{- define "gitlab-gitops.image" -}}
{{- $image := .Values.image.repository }}
{{- if or .Values.image.tag (not .Values.image.digest) }}
{{- $image = printf "%s:%s" $image (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}
{{- with .Values.image.digest }}
{{- $image = printf "%s@%s" $image . }}
{{- end }}
{{- $image }}
{{- end }}

{{/*
The shutdown budget. On deletion the kubelet runs the preStop sleep (if any), then sends SIGTERM;
the service keeps serving for SHUTDOWN_DELAY with /ready answering 503, then drains in-flight
requests for at most SHUTDOWN_TIMEOUT. The grace period covers all of it plus a margin, so the
SIGKILL never lands inside the budget.
*/}}
{{- define "gitlab-gitops.terminationGracePeriodSeconds" -}}
{{- $s := .Values.shutdown }}
{{- add (int $s.preStopSleepSeconds) (int $s.delaySeconds) (int $s.timeoutSeconds) (int $s.marginSeconds) }}
{{- end }}

{{/*
A number from values as a plain integer: values files give float64, and toString of a large
float64 prints an exponent ("1e+06").
*/}}
{{- define "gitlab-gitops.scalar" -}}
{{- if and (kindIs "float64" .) (eq . (float64 (int64 .))) }}
{{- int64 . }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}

{{/*
The container's environment as a YAML list: first the variables the chart derives from values
(PORT, LOG_*, SHUTDOWN_*, REQUEST_TIMEOUT, OTEL_* and TRACING_*, DATABASE_*), then `env` (a map
NAME: value | {valueFrom: ...}, or a list of EnvVar) and `extraEnv` (a list of EnvVar). A name
given twice fails the render: the chart's own variables must be set through their values so the
shutdown budget stays consistent.
*/}}
{{- define "gitlab-gitops.env" -}}
{{- $v := .Values }}
{{- $owned := dict }}
{{- $list := list }}
{{- $list = append $list (dict "name" "PORT" "value" (include "gitlab-gitops.scalar" $v.containerPort)) }}
{{- $_ := set $owned "PORT" "containerPort" }}
{{- if (index $v "metrics") }}
{{- if eq (toString $v.adminPort) (toString $v.containerPort) }}
{{- fail (printf "adminPort: %v is containerPort too; the admin port must be a port of its own" $v.adminPort) }}
{{- end }}
{{- $list = append $list (dict "name" "ADMIN_PORT" "value" (include "gitlab-gitops.scalar" $v.adminPort)) }}
{{- $_ = set $owned "ADMIN_PORT" "adminPort" }}
{{- end }}
{{- $list = append $list (dict "name" "LOG_LEVEL" "value" (toString $v.log.level)) }}
{{- $_ = set $owned "LOG_LEVEL" "log.level" }}
{{- $list = append $list (dict "name" "LOG_FORMAT" "value" (toString $v.log.format)) }}
{{- $_ = set $owned "LOG_FORMAT" "log.format" }}
{{- $list = append $list (dict "name" "SHUTDOWN_DELAY" "value" (printf "%ds" (int $v.shutdown.delaySeconds))) }}
{{- $_ = set $owned "SHUTDOWN_DELAY" "shutdown.delaySeconds" }}
{{- $list = append $list (dict "name" "SHUTDOWN_TIMEOUT" "value" (printf "%ds" (int $v.shutdown.timeoutSeconds))) }}
{{- $_ = set $owned "SHUTDOWN_TIMEOUT" "shutdown.timeoutSeconds" }}
{{- $list = append $list (dict "name" "REQUEST_TIMEOUT" "value" (printf "%ds" (int $v.requestTimeoutSeconds))) }}
{{- $_ = set $owned "REQUEST_TIMEOUT" "requestTimeoutSeconds" }}
{{- with (index $v "tracing") }}
{{- $list = append $list (dict "name" "OTEL_SERVICE_NAME" "value" (include "gitlab-gitops.name" $)) }}
{{- $_ = set $owned "OTEL_SERVICE_NAME" "nameOverride" }}
{{- with .endpoint }}
{{- $list = append $list (dict "name" "OTEL_EXPORTER_OTLP_ENDPOINT" "value" (toString .)) }}
{{- $_ = set $owned "OTEL_EXPORTER_OTLP_ENDPOINT" "tracing.endpoint" }}
{{- end }}
{{- with .sampler }}
{{- $list = append $list (dict "name" "OTEL_TRACES_SAMPLER" "value" (toString .)) }}
{{- $_ = set $owned "OTEL_TRACES_SAMPLER" "tracing.sampler" }}
{{- end }}
{{- with .samplerArg }}
{{- $list = append $list (dict "name" "OTEL_TRACES_SAMPLER_ARG" "value" (include "gitlab-gitops.scalar" .)) }}
{{- $_ = set $owned "OTEL_TRACES_SAMPLER_ARG" "tracing.samplerArg" }}
{{- end }}
{{- $list = append $list (dict "name" "TRACING_TRUST_REMOTE_PARENT" "value" (toString .trustRemoteParent)) }}
{{- $_ = set $owned "TRACING_TRUST_REMOTE_PARENT" "tracing.trustRemoteParent" }}
{{- $list = append $list (dict "name" "OTEL_PROPAGATORS" "value" (join "," .propagators)) }}
{{- $_ = set $owned "OTEL_PROPAGATORS" "tracing.propagators" }}
{{- $list = append $list (dict "name" "K8S_POD_NAME" "valueFrom" (dict "fieldRef" (dict "fieldPath" "metadata.name"))) }}
{{- $list = append $list (dict "name" "K8S_NAMESPACE_NAME" "valueFrom" (dict "fieldRef" (dict "fieldPath" "metadata.namespace"))) }}
{{- $list = append $list (dict "name" "K8S_NODE_NAME" "valueFrom" (dict "fieldRef" (dict "fieldPath" "spec.nodeName"))) }}
{{- $attrs := list "k8s.pod.name=$(K8S_POD_NAME)" "k8s.namespace.name=$(K8S_NAMESPACE_NAME)" "k8s.node.name=$(K8S_NODE_NAME)" (printf "k8s.deployment.name=%s" (include "gitlab-gitops.fullname" $)) }}
{{- range $key, $value := .resourceAttributes }}
{{- $attrs = append $attrs (printf "%s=%s" $key (include "gitlab-gitops.scalar" $value)) }}
{{- end }}
{{- $list = append $list (dict "name" "OTEL_RESOURCE_ATTRIBUTES" "value" (join "," $attrs)) }}
{{- range list "K8S_POD_NAME" "K8S_NAMESPACE_NAME" "K8S_NODE_NAME" "OTEL_RESOURCE_ATTRIBUTES" }}
{{- $_ = set $owned . "tracing.resourceAttributes" }}
{{- end }}
{{- end }}
{{- with (index $v "database") }}
{{- $list = append $list (dict "name" "DATABASE_URL" "valueFrom" (dict "secretKeyRef" (dict "name" .urlSecret.name "key" .urlSecret.key))) }}
{{- $_ = set $owned "DATABASE_URL" "database.urlSecret" }}
{{- with .maxConns }}
{{- $list = append $list (dict "name" "DATABASE_MAX_CONNS" "value" (include "gitlab-gitops.scalar" .)) }}
{{- $_ = set $owned "DATABASE_MAX_CONNS" "database.maxConns" }}
{{- end }}
{{- $list = append $list (dict "name" "DATABASE_STATEMENT_TIMEOUT" "value" (printf "%ds" (int .statementTimeoutSeconds))) }}
{{- $_ = set $owned "DATABASE_STATEMENT_TIMEOUT" "database.statementTimeoutSeconds" }}
{{- $list = append $list (dict "name" "DATABASE_READINESS" "value" (toString .readiness)) }}
{{- $_ = set $owned "DATABASE_READINESS" "database.readiness" }}
{{- end }}
{{- $user := list }}
{{- if kindIs "map" $v.env }}
{{- range $name, $value := $v.env }}
{{- if kindIs "map" $value }}
{{- $user = append $user (merge (dict "name" $name) $value) }}
{{- else }}
{{- $user = append $user (dict "name" $name "value" (include "gitlab-gitops.scalar" $value)) }}
{{- end }}
{{- end }}
{{- else if $v.env }}
{{- $user = concat $user $v.env }}
{{- end }}
{{- with $v.extraEnv }}
{{- $user = concat $user . }}
{{- end }}
{{- $seen := dict }}
{{- range $user }}
{{- if hasKey $owned .name }}
{{- fail (printf "env: %s is set by the chart; set the value %s instead" .name (get $owned .name)) }}
{{- end }}
{{- if hasKey $seen .name }}
{{- fail (printf "env: %s is given twice (env and extraEnv are one list)" .name) }}
{{- end }}
{{- $_ := set $seen .name true }}
{{- end }}
{{- range $name, $_ := $v.config }}
{{- if hasKey $owned $name }}
{{- fail (printf "config: %s is set by the chart; set the value %s instead" $name (get $owned $name)) }}
{{- end }}
{{- if hasKey $seen $name }}
{{- fail (printf "config: %s is also in env/extraEnv, which would win over config; set it in one place" $name) }}
{{- end }}
{{- end }}
{{- toYaml (concat $list $user) }}
{{- end }}

{{/*
The ConfigMap's data: `config` with every value as a string (numbers without exponent). The
ConfigMap renders it, and its sha256 is the pod template's checksum/config annotation, so a
change to `config` (and nothing else) rolls the pods.
*/}}
{{- define "gitlab-gitops.configData" -}}
{{- $data := dict }}
{{- range $name, $value := .Values.config }}
{{- $_ := set $data $name (include "gitlab-gitops.scalar" $value) }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/*
The container's envFrom as a YAML list: the chart's ConfigMap (when `config` is set), then the
Secret named by `existingSecret`, then `envFrom`. For a name in more than one source the last
source wins, and `env` wins over all of them.
*/}}
{{- define "gitlab-gitops.envFrom" -}}
{{- $list := list }}
{{- if .Values.config }}
{{- $list = append $list (dict "configMapRef" (dict "name" (include "gitlab-gitops.fullname" .))) }}
{{- end }}
{{- with .Values.existingSecret }}
{{- $list = append $list (dict "secretRef" (dict "name" .)) }}
{{- end }}
{{- with .Values.envFrom }}
{{- $list = concat $list . }}
{{- end }}
{{- toYaml $list }}
{{- end }}

{{/*
The init containers as a YAML list. Each runs the chart's image (pull policy, resources and
securityContext too) unless it names its own; a securityContext given replaces the chart's keys
it names and keeps the others. Each gets the service's environment (env, config,
existingSecret, envFrom) followed by its own env, and the /tmp emptyDir.
*/}}
{{- define "gitlab-gitops.initContainers" -}}
{{- $v := .Values }}
{{- $env := include "gitlab-gitops.env" . | fromYamlArray }}
{{- $envFrom := include "gitlab-gitops.envFrom" . | fromYamlArray }}
{{- $names := dict .Chart.Name "the service container" }}
{{- $list := list }}
{{- $inits := $v.initContainers }}
{{- with (index $v "database") }}
{{- if .migrate }}
{{- /* The migrations are in the image: the same binary, its migrate command. */}}
{{- $inits = prepend $inits (dict "name" "migrate" "args" (list "migrate" "up")) }}
{{- end }}
{{- end }}
{{- range $inits }}
{{- if hasKey $names .name }}
{{- fail (printf "initContainers: the name %s is taken by %s" .name (get $names .name)) }}
{{- end }}
{{- $_ := set $names .name "another init container" }}
{{- $c := dict "name" .name "image" (index . "image" | default (include "gitlab-gitops.image" $)) }}
{{- $_ = set $c "imagePullPolicy" (index . "imagePullPolicy" | default $v.image.pullPolicy) }}
{{- with (index . "command") }}
{{- $_ = set $c "command" . }}
{{- end }}
{{- with (index . "args") }}
{{- $_ = set $c "args" . }}
{{- end }}
{{- $own := index . "env" | default list }}
{{- $taken := dict }}
{{- range $env }}
{{- $_ = set $taken .name true }}
{{- end }}
{{- $container := .name }}
{{- range $own }}
{{- if hasKey $taken .name }}
{{- fail (printf "initContainers: %s: env %s is already in the service's environment (or given twice)" $container .name) }}
{{- end }}
{{- $_ = set $taken .name true }}
{{- end }}
{{- $_ = set $c "env" (concat $env $own) }}
{{- with (concat $envFrom (index . "envFrom" | default list)) }}
{{- $_ = set $c "envFrom" . }}
{{- end }}
{{- with (index . "resources" | default $v.resources) }}
{{- $_ = set $c "resources" . }}
{{- end }}
{{- $sc := deepCopy ($v.securityContext | default dict) }}
{{- range $key, $value := (index . "securityContext") }}
{{- $_ = set $sc $key $value }}
{{- end }}
{{- with $sc }}
{{- $_ = set $c "securityContext" . }}
{{- end }}
{{- $_ = set $c "volumeMounts" (concat (list (dict "name" "tmp" "mountPath" "/tmp")) (index . "volumeMounts" | default list)) }}
{{- $list = append $list $c }}
{{- end }}
{{- toYaml $list }}
{{- end }}
