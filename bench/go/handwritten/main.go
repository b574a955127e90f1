// Command handwritten is the baseline the generated service is measured against: the same
// work written by hand in the most direct way a team would. Plain net/http with the
// service's timeouts, header and body limits, a request deadline and panic recovery; one
// zerolog access line per request with the service's fields (request id, method, route,
// path, client, user agent, status, bytes, duration); client_golang RED metrics (a counter
// and a histogram by method, route and code) on an admin port; /healthz, /ready and one JSON
// endpoint; and a graceful shutdown (readiness 503 on SIGTERM, a delay, then a drain).
//
// What it leaves out is what the generator adds beyond that work: configuration validation,
// build info, in-flight and panic metrics, aborted-write accounting, JSON 404/405 bodies,
// shutdown stage budgets. The bench reports the difference as the price of those.
//
// Settings: PORT (8080), ADMIN_PORT (9090), HOST, SHUTDOWN_DELAY (10s), SHUTDOWN_TIMEOUT (20s).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

// The generated service's defaults.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 620 * time.Second
	requestTimeout    = 10 * time.Second
	maxHeaderBytes    = 64 << 10
	maxBodyBytes      = 1 << 20
)

type hello struct {
	Message string `json:"message"`
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
	r.ResponseWriter.WriteHeader(s)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func env(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

func duration(key, fallback string) time.Duration {
	d, err := time.ParseDuration(env(key, fallback))
	if err != nil {
		d, _ = time.ParseDuration(fallback)
	}
	return d
}

func main() {
	zerolog.TimeFieldFormat = time.RFC3339Nano
	logger := zerolog.New(os.Stdout).With().Timestamp().Str("service", "handwritten").Logger()

	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total", Help: "HTTP requests by method, route and status code.",
	}, []string{"method", "route", "code"})
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "http_request_duration_seconds", Help: "HTTP request latency by method, route and status code.",
		Buckets: prometheus.DefBuckets,
	}, []string{"method", "route", "code"})
	registry.MustRegister(requests, latency)

	var ready atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) {
		if !ready.Load() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.HandleFunc("GET /api/v1/hello", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		if name == "" {
			name = "world"
		}
		writeJSON(w, http.StatusOK, hello{Message: "Hello, " + name + "!"})
	})

	var ids atomic.Uint64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" {
			id = "hw-" + strconv.FormatUint(ids.Add(1), 10)
		}
		w.Header().Set("X-Request-Id", id)
		ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
		r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		h, pattern := mux.Handler(r)
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.Error().Interface("panic", v).Str("request_id", id).Msg("handler panicked")
				if rec.status == 0 {
					writeJSON(rec, http.StatusInternalServerError, map[string]string{"error": "internal error"})
				}
			}
			if r.URL.Path == "/healthz" || r.URL.Path == "/ready" {
				return
			}
			route := pattern
			if route == "" {
				route = "unmatched"
			}
			code := strconv.Itoa(rec.status)
			elapsed := time.Since(start)
			requests.WithLabelValues(r.Method, route, code).Inc()
			latency.WithLabelValues(r.Method, route, code).Observe(elapsed.Seconds())
			client, _, _ := net.SplitHostPort(r.RemoteAddr)
			logger.Info().
				Str("request_id", id).
				Str("method", r.Method).
				Str("route", route).
				Str("path", r.URL.Path).
				Str("client", client).
				Str("user_agent", r.UserAgent()).
				Int("status", rec.status).
				Int("bytes", rec.bytes).
				Dur("duration_ms", elapsed).
				Msg("request")
		}()
		h.ServeHTTP(rec, r)
	})

	host := os.Getenv("HOST")
	srv := &http.Server{
		Addr:              net.JoinHostPort(host, env("PORT", "8080")),
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	admin := &http.Server{
		Addr:              net.JoinHostPort(host, env("ADMIN_PORT", "9090")),
		Handler:           promhttp.HandlerFor(registry, promhttp.HandlerOpts{}),
		ReadHeaderTimeout: readHeaderTimeout,
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		logger.Fatal().Err(err).Msg("listen")
	}
	adminLn, err := net.Listen("tcp", admin.Addr)
	if err != nil {
		logger.Fatal().Err(err).Msg("listen (admin)")
	}
	go func() { _ = admin.Serve(adminLn) }()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	ready.Store(true)
	logger.Info().Str("addr", ln.Addr().String()).Msg("listening")

	stop := make(chan os.Signal, 2)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	select {
	case err := <-served:
		logger.Fatal().Err(err).Msg("serve")
	case <-stop:
	}
	ready.Store(false)
	logger.Info().Msg("shutting down")
	select {
	case <-time.After(duration("SHUTDOWN_DELAY", "10s")):
	case <-stop:
	}
	ctx, cancel := context.WithTimeout(context.Background(), duration("SHUTDOWN_TIMEOUT", "20s"))
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error().Err(err).Msg("drain")
	}
	_ = admin.Shutdown(ctx)
	logger.Info().Msg("stopped")
}
