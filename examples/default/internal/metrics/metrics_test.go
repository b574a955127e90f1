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

	"github.com/example/default/internal/httpserver"
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
		`http_requests_total{code="405",method="OTHER",route="unmatched"} 1`,
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
