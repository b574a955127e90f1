package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/example/postgres-tracing/internal/httpserver"
)

func scrape(t *testing.T, m *Registry) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("scrape answered %d", rec.Code)
	}
	return rec.Body.String()
}

func TestREDMetricsByRoute(t *testing.T) {
	m := New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "item")
	})
	mux.HandleFunc("GET /healthz", func(http.ResponseWriter, *http.Request) {})
	mux.Handle("GET /metrics", m.Handler())
	h := httpserver.Handler(mux, zerolog.Nop(), httpserver.Options{
		Observer: m,
		Quiet:    []string{"/healthz", "/metrics"},
	})
	for _, target := range []string{"/items/1", "/items/2", "/nowhere", "/healthz", "/metrics"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, target, nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("BREW", "/items/3", nil))

	out := scrape(t, m)
	for _, want := range []string{
		`http_requests_total{code="200",method="GET",route="/items/{id}"} 2`,
		`http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		// A wrong method is counted under the route the client meant.
		`http_requests_total{code="405",method="OTHER",route="/items/{id}"} 1`,
		`http_request_duration_seconds_count{code="200",method="GET",route="/items/{id}"} 2`,
		`http_request_duration_seconds_bucket{code="200",method="GET",route="/items/{id}",le="+Inf"} 2`,
		`http_requests_in_flight{method="GET",route="/items/{id}"} 0`,
		"go_goroutines ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if strings.Contains(out, `route="/healthz"`) || strings.Contains(out, `route="/metrics"`) {
		t.Error("probes and scrapes are counted")
	}
	if runtime.GOOS == "linux" && !strings.Contains(out, "process_resident_memory_bytes ") {
		t.Error("scrape lacks the process collector")
	}
}

// A response the client never got is counted as aborted, never as the status the handler
// chose; panics have a counter of their own; build_info names the build.
func TestAbortedPanicsAndBuildInfo(t *testing.T) {
	m := New()
	m.RegisterBuildInfo("1.2.3", "abc123", "go1.26")
	m.Start(http.MethodGet, "/items/{id}")
	m.Done(http.MethodGet, "/items/{id}", httpserver.Aborted, time.Millisecond)
	m.Panicked(http.MethodGet, "/items/{id}")
	out := scrape(t, m)
	for _, want := range []string{
		`http_requests_total{code="aborted",method="GET",route="/items/{id}"} 1`,
		`http_handler_panics_total{method="GET",route="/items/{id}"} 1`,
		`build_info{commit="abc123",goversion="go1.26",version="1.2.3"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if strings.Contains(out, `code="0"`) || strings.Contains(out, `code="200"`) {
		t.Error("an aborted request was counted under a status code")
	}
}

func TestInFlight(t *testing.T) {
	m := New()
	m.Start(http.MethodPost, "/jobs")
	out := scrape(t, m)
	if !strings.Contains(out, `http_requests_in_flight{method="POST",route="/jobs"} 1`) {
		t.Errorf("in-flight gauge not raised:\n%s", out)
	}
}

func TestConcurrentRequests(t *testing.T) {
	m := New()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			route := []string{"/a", "/b"}[i%2]
			for code := range 50 {
				m.Start(http.MethodGet, route)
				m.Done(http.MethodGet, route, 200+code%3, time.Millisecond)
			}
		})
	}
	wg.Wait()
	out := scrape(t, m)
	for _, want := range []string{
		`http_requests_total{code="200",method="GET",route="/a"} 68`,
		`http_requests_total{code="202",method="GET",route="/b"} 64`,
		`http_requests_in_flight{method="GET",route="/b"} 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}

func TestRegistererAddsCustomMetrics(t *testing.T) {
	m := New()
	counter := prometheus.NewCounter(prometheus.CounterOpts{Name: "jobs_processed_total", Help: "Jobs done."})
	m.Registerer().MustRegister(counter)
	counter.Inc()
	if out := scrape(t, m); !strings.Contains(out, "jobs_processed_total 1") {
		t.Error("custom metric missing from the scrape")
	}
}
