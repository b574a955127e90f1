// Package tracing exports OpenTelemetry traces over OTLP. It is configured only by the
// standard OTEL_* variables and does nothing unless an OTLP endpoint is set.
package tracing

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/example/postgres-tracing/internal/config"
)

// defaultSampleRatio is the share of new traces (those no caller has sampled already)
// recorded when OTEL_TRACES_SAMPLER is unset: enough to see every route's typical
// behaviour under load, at a tenth of the cost of recording everything.
const defaultSampleRatio = 0.1

// Setup installs a global tracer provider that exports to the OTLP endpoint named by
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT. Without one (or with
// OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none) spans are not recorded, but
// incoming trace context is still passed on. OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL picks
// http/protobuf (the default) or grpc (only in builds with -tags otlpgrpc: see
// otlpgrpc_off.go); the exporter reads its other settings (headers,
// timeout, TLS), OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES from the process
// environment itself.
//
// Sampling: without OTEL_TRACES_SAMPLER, requests are sampled at defaultSampleRatio
// (OTEL_TRACES_SAMPLER_ARG sets that ratio) by their trace id, whatever the caller's
// sampled flag says: a service facing the internet must not let clients choose to be
// traced (a client-chosen "-01" would take sampling to 100 %, and the exported bytes with
// it). Spans whose parent is in this process follow it. TRACING_TRUST_REMOTE_PARENT=true
// follows the caller's decision too, for internal services behind a traced edge.
//
// Propagation: W3C trace context; W3C Baggage only when OTEL_PROPAGATORS names it
// ("tracecontext,baggage"), since baggage from outside would ride along on every outbound
// call. The returned function flushes and stops the provider.
func Setup(ctx context.Context, getenv func(string) string, service, version string, logger zerolog.Logger) (shutdown func(context.Context) error, err error) {
	noop := func(context.Context) error { return nil }
	prop, err := propagators(getenv("OTEL_PROPAGATORS"))
	if err != nil {
		return noop, err
	}
	otel.SetTextMapPropagator(prop)
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		logger.Warn().Err(err).Msg("opentelemetry")
	}))

	endpoint := first(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), getenv("OTEL_EXPORTER_OTLP_ENDPOINT"))
	if endpoint == "" || strings.EqualFold(getenv("OTEL_SDK_DISABLED"), "true") || getenv("OTEL_TRACES_EXPORTER") == "none" {
		logger.Info().Msg("tracing off: no OTLP endpoint set, or disabled")
		return noop, nil
	}

	endpointVar := "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
	if getenv(endpointVar) == "" {
		endpointVar = "OTEL_EXPORTER_OTLP_ENDPOINT"
	}
	if u, err := url.Parse(endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return noop, &config.Error{Var: endpointVar, Value: endpoint, Want: "an http:// or https:// URL, like http://otel-collector:4318"}
	}
	trustParent := false
	if v := getenv("TRACING_TRUST_REMOTE_PARENT"); v != "" {
		if trustParent, err = strconv.ParseBool(v); err != nil {
			return noop, &config.Error{Var: "TRACING_TRUST_REMOTE_PARENT", Value: v, Want: "true or false"}
		}
	}

	protocolVar := "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
	if getenv(protocolVar) == "" {
		protocolVar = "OTEL_EXPORTER_OTLP_PROTOCOL"
	}
	var exporter sdktrace.SpanExporter
	switch protocol := getenv(protocolVar); protocol {
	case "", "http/protobuf":
		exporter, err = otlptracehttp.New(ctx)
	case "grpc":
		exporter, err = newGRPCExporter(ctx, protocolVar)
	default:
		return noop, &config.Error{Var: protocolVar, Value: protocol, Want: "http/protobuf or grpc"}
	}
	if err != nil {
		return noop, err
	}

	// Later options win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the defaults.
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(semconv.ServiceName(service), semconv.ServiceVersion(version)),
		resource.WithFromEnv(),
	)
	if err != nil {
		// A malformed OTEL_RESOURCE_ATTRIBUTES still leaves a usable resource.
		logger.Warn().Err(err).Msg("tracing: incomplete resource attributes")
	}
	opts := []sdktrace.TracerProviderOption{sdktrace.WithBatcher(exporter), sdktrace.WithResource(res)}
	// With OTEL_TRACES_SAMPLER set, the SDK reads it and its argument itself.
	if getenv("OTEL_TRACES_SAMPLER") == "" {
		ratio := defaultSampleRatio
		if v := getenv("OTEL_TRACES_SAMPLER_ARG"); v != "" {
			ratio, err = strconv.ParseFloat(v, 64)
			if err != nil || ratio < 0 || ratio > 1 {
				return noop, &config.Error{Var: "OTEL_TRACES_SAMPLER_ARG", Value: v, Want: "a sampling ratio from 0 to 1, like 0.1"}
			}
		}
		opts = append(opts, sdktrace.WithSampler(sampler(ratio, trustParent)))
	}
	provider := sdktrace.NewTracerProvider(opts...)
	otel.SetTracerProvider(provider)
	l := logger.Info()
	if u, err := url.Parse(endpoint); err == nil {
		l = l.Str("endpoint", u.Redacted())
	}
	l.Msg("tracing on: exporting spans over OTLP")
	return provider.Shutdown, nil
}

// sampler samples new traces at ratio by trace id and follows local parents; remote
// parents decide only if trusted.
func sampler(ratio float64, trustRemoteParent bool) sdktrace.Sampler {
	root := sdktrace.TraceIDRatioBased(ratio)
	if trustRemoteParent {
		return sdktrace.ParentBased(root)
	}
	return sdktrace.ParentBased(root, sdktrace.WithRemoteParentSampled(root), sdktrace.WithRemoteParentNotSampled(root))
}

// propagators reads OTEL_PROPAGATORS: unset, W3C trace context alone.
func propagators(v string) (propagation.TextMapPropagator, error) {
	if v == "" {
		return propagation.TraceContext{}, nil
	}
	var list []propagation.TextMapPropagator
	for name := range strings.SplitSeq(v, ",") {
		switch strings.TrimSpace(name) {
		case "tracecontext":
			list = append(list, propagation.TraceContext{})
		case "baggage":
			list = append(list, propagation.Baggage{})
		case "none":
		default:
			return nil, &config.Error{Var: "OTEL_PROPAGATORS", Value: v, Want: "a list of tracecontext, baggage or none"}
		}
	}
	return propagation.NewCompositeTextMapPropagator(list...), nil
}

// Middleware starts a server span for each request, named after its route (r.Pattern,
// which httpserver sets before any middleware runs), and adds trace_id and span_id to the
// request's logger, so that log lines and traces can be joined.
//
// Only a sampled request pays for a span's attributes and status: with the default 10 %
// sampling, nine requests in ten get a trace context that callees and logs carry on, and
// nothing else. (otelhttp, the contrib handler, builds the attributes, wraps the writer and
// records its own metrics for every request, sampled or not: about as much CPU again as
// the rest of the service's middleware.) When Setup left tracing off (no SDK tracer
// provider installed), it only passes an incoming trace context on.
func Middleware(next http.Handler) http.Handler {
	if _, on := otel.GetTracerProvider().(*sdktrace.TracerProvider); !on {
		return propagateOnly(next)
	}
	tracer := otel.Tracer(instrumentationName)
	fields := headerNames()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if hasTraceHeaders(r.Header, fields) {
			ctx = otel.GetTextMapPropagator().Extract(ctx, propagation.HeaderCarrier(r.Header))
		}
		ctx, span := tracer.Start(ctx, spanName(r), serverSpan)
		r = r.WithContext(withTraceIDs(ctx))
		if !span.IsRecording() {
			next.ServeHTTP(w, r)
			return
		}
		span.SetAttributes(requestAttributes(r)...)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				span.SetStatus(codes.Error, "handler panicked")
				span.End()
				panic(v)
			}
			status := rec.statusOrOK()
			span.SetAttributes(semconv.HTTPResponseStatusCode(status))
			if status >= http.StatusInternalServerError {
				span.SetStatus(codes.Error, "")
			}
			span.End()
		}()
		next.ServeHTTP(rec, r)
	})
}

// serverSpan is made once: an option built per request is an allocation per request.
var serverSpan = trace.WithSpanKind(trace.SpanKindServer)

// hasTraceHeaders reports whether a request carries one of the propagators' headers
// (headerNames): most requests carry none, and extracting from nothing still costs
// allocations.
func hasTraceHeaders(h http.Header, names []string) bool {
	for _, name := range names {
		if len(h[name]) > 0 {
			return true
		}
	}
	return false
}

// headerNames are the headers the global propagator reads, in canonical form, so that
// looking them up allocates nothing.
func headerNames() []string {
	fields := otel.GetTextMapPropagator().Fields()
	for i, f := range fields {
		fields[i] = http.CanonicalHeaderKey(f)
	}
	return fields
}

// withTraceIDs gives the request's logger the ids of the trace in ctx, if any. A hook
// rather than logger.With(), which copies the logger's fields into a new buffer each time.
func withTraceIDs(ctx context.Context) context.Context {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		l := zerolog.Ctx(ctx).Hook(traceIDs(sc))
		return l.WithContext(ctx)
	}
	return ctx
}

// instrumentationName names this middleware as the source of its spans.
const instrumentationName = "github.com/example/postgres-tracing/internal/tracing"

// traceIDs adds the ids of a trace and span to each line logged through the request's logger.
type traceIDs trace.SpanContext

func (t traceIDs) Run(e *zerolog.Event, _ zerolog.Level, _ string) {
	tid, sid := trace.SpanContext(t).TraceID(), trace.SpanContext(t).SpanID()
	e.Hex("trace_id", tid[:]).Hex("span_id", sid[:])
}

// spanName is "METHOD /route" as the HTTP semantic conventions ask, or "METHOD" alone when no
// route matched; unusual methods are "HTTP", so that clients cannot mint span names.
func spanName(r *http.Request) string {
	method := r.Method
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
	default:
		method = "HTTP"
	}
	if i := strings.IndexByte(r.Pattern, '/'); i >= 0 {
		return method + " " + r.Pattern[i:]
	}
	return method
}

// requestAttributes describes a sampled request by the HTTP semantic conventions.
func requestAttributes(r *http.Request) []attribute.KeyValue {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	attrs := []attribute.KeyValue{
		semconv.HTTPRequestMethodKey.String(r.Method),
		semconv.URLScheme(scheme),
		semconv.URLPath(r.URL.Path),
		semconv.ServerAddress(r.Host),
		semconv.NetworkProtocolVersion(strings.TrimPrefix(r.Proto, "HTTP/")),
	}
	if i := strings.IndexByte(r.Pattern, '/'); i >= 0 {
		attrs = append(attrs, semconv.HTTPRoute(r.Pattern[i:]))
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		attrs = append(attrs, semconv.NetworkPeerAddress(host))
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, semconv.UserAgentOriginal(ua))
	}
	return attrs
}

// statusRecorder remembers the status of a sampled request's response.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (rec *statusRecorder) WriteHeader(status int) {
	// 1xx answers (such as 103 Early Hints) precede the real one.
	if rec.status == 0 && status >= 200 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *statusRecorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.ResponseWriter.Write(b)
}

// Flush keeps streaming handlers working: they type-assert http.Flusher.
func (rec *statusRecorder) Flush() {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	_ = http.NewResponseController(rec.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's other features.
func (rec *statusRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

func (rec *statusRecorder) statusOrOK() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}

// propagateOnly puts an incoming trace context, if any, into the request's context, so
// that outgoing calls carry it on and the log lines name it.
func propagateOnly(next http.Handler) http.Handler {
	fields := headerNames()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hasTraceHeaders(r.Header, fields) {
			ctx := otel.GetTextMapPropagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			r = r.WithContext(withTraceIDs(ctx))
		}
		next.ServeHTTP(w, r)
	})
}

func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
