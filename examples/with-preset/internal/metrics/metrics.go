// Package metrics keeps the service's Prometheus metrics on a registry of its own, served
// on /metrics: RED metrics for HTTP (rate, errors, duration) plus Go runtime and process
// metrics.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds the metrics. Its own registry, not prometheus.DefaultRegisterer, so
// that imported libraries cannot add series behind the service's back.
type Registry struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight *prometheus.GaugeVec
	panics   *prometheus.CounterVec

	// The series of each method and route (and code), looked up once: client_golang's
	// WithLabelValues hashes the label values and takes a lock on every call.
	mu      sync.Mutex // held to add to the maps below
	routes  atomic.Pointer[map[routeKey]prometheus.Gauge]
	answers atomic.Pointer[map[answerKey]answerSeries]
}

type routeKey struct{ method, route string }

type answerKey struct {
	routeKey
	code int
}

type answerSeries struct {
	inFlight prometheus.Gauge // the route's: Done looks up one map, not two
	requests prometheus.Counter
	duration prometheus.Observer
}

// New creates the registry with the HTTP, Go runtime and process collectors.
func New() *Registry {
	m := &Registry{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests answered, by method, route and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Time from the start of an HTTP request to the end of its handler.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route", "code"}),
		panics: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_handler_panics_total",
			Help: "Handlers that panicked (recovered: the request got a 500 or a cut connection), by method and route.",
		}, []string{"method", "route"}),
		// No code label: the status is not known while a request is in flight.
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "http_requests_in_flight",
			Help: "HTTP requests being handled, by method and route.",
		}, []string{"method", "route"}),
	}
	m.routes.Store(&map[routeKey]prometheus.Gauge{})
	m.answers.Store(&map[answerKey]answerSeries{})
	m.registry.MustRegister(
		m.requests, m.duration, m.inFlight, m.panics,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Registerer is where the service registers metrics of its own.
func (m *Registry) Registerer() prometheus.Registerer { return m.registry }

// Handler serves the metrics in the Prometheus text (or OpenMetrics) format.
func (m *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		Registry:          m.registry,
		EnableOpenMetrics: true,
	})
}

// Start counts a request in flight; it implements httpserver.Observer.
func (m *Registry) Start(method, route string) {
	m.inFlightOf(routeKey{normalizeMethod(method), route}).Inc()
}

// Panicked counts a handler's panic; it implements httpserver.Observer.
func (m *Registry) Panicked(method, route string) {
	m.panics.WithLabelValues(normalizeMethod(method), route).Inc()
}

// RegisterBuildInfo adds build_info{version,commit,goversion} 1, so that dashboards can
// tell which build each pod runs and alerts can join on it.
func (m *Registry) RegisterBuildInfo(version, commit, goVersion string) {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "build_info",
		Help:        "Always 1; the labels name the running build.",
		ConstLabels: prometheus.Labels{"version": version, "commit": commit, "goversion": goVersion},
	})
	g.Set(1)
	m.registry.MustRegister(g)
}

// Done records a finished request; it implements httpserver.Observer. A status of 0
// (httpserver.Aborted: the client did not get the response) has the code "aborted".
func (m *Registry) Done(method, route string, status int, elapsed time.Duration) {
	a := m.answersOf(answerKey{routeKey{normalizeMethod(method), route}, status})
	a.inFlight.Dec()
	a.requests.Inc()
	a.duration.Observe(elapsed.Seconds())
}

func (m *Registry) inFlightOf(k routeKey) prometheus.Gauge {
	if g, ok := (*m.routes.Load())[k]; ok {
		return g
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return add(&m.routes, k, func() prometheus.Gauge {
		return m.inFlight.WithLabelValues(k.method, k.route)
	})
}

func (m *Registry) answersOf(k answerKey) answerSeries {
	if a, ok := (*m.answers.Load())[k]; ok {
		return a
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return add(&m.answers, k, func() answerSeries {
		code := "aborted"
		if k.code != 0 {
			code = strconv.Itoa(k.code)
		}
		return answerSeries{
			inFlight: m.inFlight.WithLabelValues(k.method, k.route),
			requests: m.requests.WithLabelValues(k.method, k.route, code),
			duration: m.duration.WithLabelValues(k.method, k.route, code),
		}
	})
}

// add returns the value of k in the map at p, first storing a copy of that map with k
// set to newValue() if k is missing, so that readers never need a lock. The caller holds
// the lock of writers. The maps stay small: methods are normalized, routes are patterns.
func add[K comparable, V any](p *atomic.Pointer[map[K]V], k K, newValue func() V) V {
	old := *p.Load()
	if v, ok := old[k]; ok {
		return v
	}
	m := make(map[K]V, len(old)+1)
	for key, v := range old {
		m[key] = v
	}
	v := newValue()
	m[k] = v
	p.Store(&m)
	return v
}

// normalizeMethod keeps the method label's values few: clients may send any token.
func normalizeMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}
