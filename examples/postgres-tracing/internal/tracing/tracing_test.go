package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/example/postgres-tracing/internal/config"
	"github.com/example/postgres-tracing/internal/httpserver"
)

// keepGlobals restores OpenTelemetry's globals, which Setup and these tests replace.
func keepGlobals(t *testing.T) {
	tp, prop := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	t.Cleanup(func() {
		otel.SetTracerProvider(tp)
		otel.SetTextMapPropagator(prop)
	})
}

func TestSetupIsANoOpWithoutEndpoint(t *testing.T) {
	keepGlobals(t)
	before := otel.GetTracerProvider()
	for name, env := range map[string]map[string]string{
		"no endpoint":  {},
		"sdk disabled": {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"},
		"exporter off": {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "none"},
	} {
		shutdown, err := Setup(context.Background(), func(k string) string { return env[k] }, "svc", "dev", zerolog.Nop())
		if err != nil {
			t.Fatalf("%s: Setup: %v", name, err)
		}
		if err := shutdown(context.Background()); err != nil {
			t.Errorf("%s: shutdown: %v", name, err)
		}
		if otel.GetTracerProvider() != before {
			t.Errorf("%s: Setup installed a tracer provider", name)
		}
	}
}

func TestSetupRejectsUnknownProtocol(t *testing.T) {
	keepGlobals(t)
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}
	_, err := Setup(context.Background(), func(k string) string { return env[k] }, "svc", "dev", zerolog.Nop())
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) || cfgErr.Var != "OTEL_EXPORTER_OTLP_PROTOCOL" {
		t.Errorf("Setup error = %v, want a *config.Error naming OTEL_EXPORTER_OTLP_PROTOCOL", err)
	}
}

func TestSetupExportsToTheEndpoint(t *testing.T) {
	keepGlobals(t)
	var mu sync.Mutex
	var paths []string
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		paths = append(paths, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
		mu.Unlock()
	}))
	defer collector.Close()
	// The exporter reads the process environment itself.
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_TRACES_SAMPLER", "always_on")

	shutdown, err := Setup(context.Background(), os.Getenv, "svc", "dev", zerolog.Nop())
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	h := Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if err := shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(paths) == 0 || paths[0] != "POST /v1/traces application/x-protobuf" {
		t.Errorf("collector received %q, want the span POSTed to /v1/traces", paths)
	}
}

func TestMiddlewareNamesSpansByRouteAndLogsTraceIDs(t *testing.T) {
	keepGlobals(t)
	spans := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(http.ResponseWriter, *http.Request) {})
	var logs bytes.Buffer
	h := httpserver.Handler(mux, zerolog.New(&logs), httpserver.Options{
		Middleware: []func(http.Handler) http.Handler{Middleware},
	})
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/items/42", nil))

	ended := spans.Ended()
	if len(ended) != 1 {
		t.Fatalf("%d spans ended, want 1", len(ended))
	}
	span := ended[0]
	if span.Name() != "GET /items/{id}" {
		t.Errorf("span name %q, want the route", span.Name())
	}
	var route string
	for _, a := range span.Attributes() {
		if a.Key == "http.route" {
			route = a.Value.AsString()
		}
	}
	if route != "/items/{id}" {
		t.Errorf("http.route = %q", route)
	}
	var access map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(logs.String())), &access); err != nil {
		t.Fatalf("access log %q: %v", logs.String(), err)
	}
	if access["trace_id"] != span.SpanContext().TraceID().String() {
		t.Errorf("access log trace_id = %v, span's = %s", access["trace_id"], span.SpanContext().TraceID())
	}
}

func TestMiddlewareContinuesIncomingTraces(t *testing.T) {
	keepGlobals(t)
	spans := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	if _, err := Setup(context.Background(), func(string) string { return "" }, "svc", "dev", zerolog.Nop()); err != nil {
		t.Fatal(err) // installs the W3C propagator
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(httptest.NewRecorder(), req)
	if got := spans.Ended()[0].SpanContext().TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("trace id %s, want the caller's", got)
	}
}

func TestMiddlewareRecordsTheAnswerOfSampledRequests(t *testing.T) {
	keepGlobals(t)
	spans := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)))
	for _, status := range []int{http.StatusOK, http.StatusNotFound, http.StatusServiceUnavailable} {
		h := Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil))
	}
	ended := spans.Ended()
	if len(ended) != 3 {
		t.Fatalf("%d spans ended, want 3", len(ended))
	}
	type answer struct {
		code  int64
		error bool
	}
	wants := []answer{
		{200, false},
		{404, false},
		{503, true},
	}
	for i, want := range wants {
		span := ended[i]
		var code int64
		var method string
		for _, a := range span.Attributes() {
			switch a.Key {
			case "http.response.status_code":
				code = a.Value.AsInt64()
			case "http.request.method":
				method = a.Value.AsString()
			}
		}
		if code != want.code || method != http.MethodPost {
			t.Errorf("span %d: http.response.status_code %d, http.request.method %q; want %d, POST", i, code, method, want.code)
		}
		if isError := span.Status().Code == codes.Error; isError != want.error || span.SpanKind() != trace.SpanKindServer {
			t.Errorf("span %d: status %v, kind %v; want an error: %v, server kind", i, span.Status(), span.SpanKind(), want.error)
		}
	}
}

// The default sampling records one new trace in ten: the other nine pay for their trace
// context and nothing more, and pass the decision on so that callees do not record theirs.
func TestUnsampledRequestsPassTheirDecisionOnAndCostLittle(t *testing.T) {
	keepGlobals(t)
	spans := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(spans),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0))),
	))
	if _, err := Setup(context.Background(), func(string) string { return "" }, "svc", "dev", zerolog.Nop()); err != nil {
		t.Fatal(err) // installs the W3C propagator
	}
	var outgoing http.Header
	h := Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		outgoing = http.Header{}
		otel.GetTextMapPropagator().Inject(r.Context(), propagation.HeaderCarrier(outgoing))
	}))
	w := nopWriter{h: http.Header{}}
	req := httptest.NewRequest(http.MethodGet, "/items/1", nil)
	req = req.WithContext(zerolog.Nop().WithContext(req.Context()))
	h.ServeHTTP(w, req)
	if tp := outgoing.Get("Traceparent"); !strings.HasSuffix(tp, "-00") {
		t.Errorf("outgoing traceparent %q, want one that says: not sampled", tp)
	}
	if n := len(spans.Ended()); n != 0 {
		t.Errorf("%d spans recorded, want none", n)
	}
	// otelhttp took 30 or more. Left: the span, its context, the request copy, the request
	// logger that names the trace (hook, logger, context), and the span name.
	h = Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req.Pattern = "GET /items/{id}"
	if allocs := testing.AllocsPerRun(200, func() { h.ServeHTTP(w, req) }); allocs > 8 {
		t.Errorf("an unsampled request allocates %.0f times in the middleware, want at most 8", allocs)
	}
}

// nopWriter is a ResponseWriter that allocates nothing.
type nopWriter struct{ h http.Header }

func (w nopWriter) Header() http.Header       { return w.h }
func (nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (nopWriter) WriteHeader(int)             {}

func TestMiddlewareCostsNothingWhenTracingIsOff(t *testing.T) {
	keepGlobals(t)
	if _, err := Setup(context.Background(), func(string) string { return "" }, "svc", "dev", zerolog.Nop()); err != nil {
		t.Fatal(err)
	}
	h := Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	w := nopWriter{h: http.Header{}}
	req := httptest.NewRequest(http.MethodGet, "/items/1", nil)
	if allocs := testing.AllocsPerRun(200, func() { h.ServeHTTP(w, req) }); allocs != 0 {
		t.Errorf("with tracing off the middleware allocates %.0f times per request, want 0", allocs)
	}
}

func TestMiddlewarePassesIncomingTraceIDsOnWhenTracingIsOff(t *testing.T) {
	keepGlobals(t)
	if _, err := Setup(context.Background(), func(string) string { return "" }, "svc", "dev", zerolog.Nop()); err != nil {
		t.Fatal(err)
	}
	var got string
	h := Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = trace.SpanContextFromContext(r.Context()).TraceID().String()
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("trace id in the request context %s, want the caller's", got)
	}
}

// sampled counts how many of n requests without a parent trace Middleware samples, with
// tracing on and the given OTEL_TRACES_SAMPLER(_ARG) (empty: unset).
func sampled(t *testing.T, n int, sampler, arg string) int {
	t.Helper()
	keepGlobals(t)
	collector := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_TRACES_SAMPLER", sampler)
	t.Setenv("OTEL_TRACES_SAMPLER_ARG", arg)
	shutdown, err := Setup(context.Background(), os.Getenv, "svc", "dev", zerolog.Nop())
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	defer func() { _ = shutdown(context.Background()) }()
	count := 0
	h := Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if trace.SpanContextFromContext(r.Context()).IsSampled() {
			count++
		}
	}))
	for range n {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	return count
}

func TestDefaultSamplingIsARatioOfNewTraces(t *testing.T) {
	// parentbased_traceidratio with 0.1: about 100 of 1000, far from 0 and from 1000.
	if got := sampled(t, 1000, "", ""); got < 50 || got > 160 {
		t.Errorf("sampled %d of 1000 new traces by default, want about 100", got)
	}
}

func TestSamplingFollowsTheStandardVariables(t *testing.T) {
	if got := sampled(t, 200, "always_on", ""); got != 200 {
		t.Errorf("OTEL_TRACES_SAMPLER=always_on sampled %d of 200", got)
	}
	if got := sampled(t, 1000, "", "0.5"); got < 400 || got > 600 {
		t.Errorf("OTEL_TRACES_SAMPLER_ARG=0.5 sampled %d of 1000, want about 500", got)
	}
}

// setupWith runs Setup against a collector that accepts everything, with env set.
func setupWith(t *testing.T, env map[string]string) {
	t.Helper()
	keepGlobals(t)
	collector := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	t.Cleanup(collector.Close)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	for _, k := range []string{"OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "TRACING_TRUST_REMOTE_PARENT", "OTEL_PROPAGATORS"} {
		t.Setenv(k, env[k])
	}
	shutdown, err := Setup(context.Background(), os.Getenv, "svc", "dev", zerolog.Nop())
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	t.Cleanup(func() { _ = shutdown(context.Background()) })
}

// sampledWithParent counts how many of n requests whose callers set the sampled flag
// (flags "01") or not ("00") are sampled, each with a trace id of its own.
func sampledWithParent(n int, flags string) int {
	count := 0
	h := Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if trace.SpanContextFromContext(r.Context()).IsSampled() {
			count++
		}
	}))
	for i := range n {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Traceparent", fmt.Sprintf("00-%032x-00f067aa0ba902b7-%s", uint64(i+1)*0x9e3779b97f4a7c15, flags))
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	return count
}

// A client on the internet must not choose to be traced: by default the caller's sampled
// flag is ignored and the ratio applies.
func TestRemoteParentsDoNotDecideSamplingByDefault(t *testing.T) {
	setupWith(t, nil)
	if got := sampledWithParent(1000, "01"); got < 50 || got > 160 {
		t.Errorf("callers asking to be sampled: %d of 1000 sampled, want about 100", got)
	}
}

// An internal service behind a traced edge follows its callers' decisions when told to.
func TestTrustedRemoteParentsDecideSampling(t *testing.T) {
	setupWith(t, map[string]string{"TRACING_TRUST_REMOTE_PARENT": "true"})
	if got := sampledWithParent(200, "01"); got != 200 {
		t.Errorf("sampled callers: %d of 200 followed", got)
	}
	if got := sampledWithParent(200, "00"); got != 0 {
		t.Errorf("unsampled callers: %d of 200 sampled anyway", got)
	}
}

// Baggage from outside rides along on every outbound call: only when asked for.
func TestBaggageOnlyWhenAskedFor(t *testing.T) {
	for _, tt := range []struct {
		propagators string
		want        bool
	}{
		{"", false},
		{"tracecontext,baggage", true},
	} {
		t.Run("OTEL_PROPAGATORS="+tt.propagators, func(t *testing.T) {
			setupWith(t, map[string]string{"OTEL_PROPAGATORS": tt.propagators})
			outgoing := http.Header{}
			h := Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				otel.GetTextMapPropagator().Inject(r.Context(), propagation.HeaderCarrier(outgoing))
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Header.Set("Baggage", "user=mallory")
			h.ServeHTTP(httptest.NewRecorder(), req)
			if got := outgoing.Get("Baggage") != ""; got != tt.want {
				t.Errorf("outgoing baggage %q, want passed on: %v", outgoing.Get("Baggage"), tt.want)
			}
		})
	}
}

func TestSetupRejectsBadSettings(t *testing.T) {
	for _, tt := range []struct{ key, value string }{
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "not-a-url"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://collector:4318"},
		{"TRACING_TRUST_REMOTE_PARENT", "maybe"},
		{"OTEL_PROPAGATORS", "b3"},
	} {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			keepGlobals(t)
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
			t.Setenv(tt.key, tt.value)
			_, err := Setup(context.Background(), os.Getenv, "svc", "dev", zerolog.Nop())
			var cfgErr *config.Error
			if !errors.As(err, &cfgErr) || cfgErr.Var != tt.key {
				t.Errorf("Setup error = %v, want a *config.Error naming %s", err, tt.key)
			}
		})
	}
}

func TestSetupRejectsABadSamplerRatio(t *testing.T) {
	keepGlobals(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
	t.Setenv("OTEL_TRACES_SAMPLER", "")
	t.Setenv("OTEL_TRACES_SAMPLER_ARG", "lots")
	_, err := Setup(context.Background(), os.Getenv, "svc", "dev", zerolog.Nop())
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) || cfgErr.Var != "OTEL_TRACES_SAMPLER_ARG" {
		t.Errorf("Setup error = %v, want a *config.Error naming OTEL_TRACES_SAMPLER_ARG", err)
	}
}
