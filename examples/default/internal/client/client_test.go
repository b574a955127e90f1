package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// flaky is a dependency whose behaviour the test switches: it fails, hangs or answers.
type flaky struct {
	mode  atomic.Value // "fail", "hang" or "ok"
	calls atomic.Int32
	// okFrom, if set, makes call number okFrom and later answer "ok": a recovery at a
	// known call rather than at a moment another goroutine may or may not catch.
	okFrom atomic.Int32
}

func newFlaky(t *testing.T, mode string) (*flaky, *httptest.Server) {
	f := &flaky{}
	f.mode.Store(mode)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := f.calls.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		mode := f.mode.Load()
		if from := f.okFrom.Load(); from > 0 && n >= from {
			mode = "ok"
		}
		switch mode {
		case "fail":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "hang":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		default:
			_, _ = io.WriteString(w, "ok")
		}
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

// attempts records what the Observer hears.
type attempts struct {
	mu   sync.Mutex
	seen []string
}

func (a *attempts) Attempt(dependency, method, outcome string, retry bool, _ time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seen = append(a.seen, fmt.Sprintf("%s %s %s retry=%t", dependency, method, outcome, retry))
}

func (a *attempts) list() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...)
}

// newClient's attempt timeout is far above any answered request's time, even under -race on a
// loaded machine: only a hanging attempt may reach it (at 100 ms a slow answer was retried).
func newClient(url string, obs Observer) *Client {
	return New(Config{
		Name: "dep", BaseURL: url, AttemptTimeout: 2 * time.Second, MaxAttempts: 3,
		InitialBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Observer: obs,
	})
}

func TestRetriesIdempotentRequestsUntilTheDependencyRecovers(t *testing.T) {
	f, srv := newFlaky(t, "fail")
	obs := &attempts{}
	c := newClient(srv.URL, obs)
	// The dependency recovers after its second answer.
	f.okFrom.Store(3)
	resp, err := c.Get(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok" {
		t.Errorf("got %d %q, want 200 ok", resp.StatusCode, body)
	}
	want := []string{"dep GET 503 retry=false", "dep GET 503 retry=true", "dep GET 200 retry=true"}
	if got := obs.list(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("attempts = %q, want %q", got, want)
	}
}

func TestNonIdempotentRequestsAreNotRetried(t *testing.T) {
	f, srv := newFlaky(t, "fail")
	c := newClient(srv.URL, nil)
	req, _ := c.NewRequest(context.Background(), http.MethodPost, "/", strings.NewReader(`{"a":1}`))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || f.calls.Load() != 1 {
		t.Errorf("POST: %d after %d calls, want 503 after 1", resp.StatusCode, f.calls.Load())
	}

	// With an Idempotency-Key the server can tell a retry apart: POST is retried, body and all.
	f.calls.Store(0)
	req, _ = c.NewRequest(context.Background(), http.MethodPost, "/", strings.NewReader(`{"a":1}`))
	req.Header.Set("Idempotency-Key", "k1")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if f.calls.Load() != 3 {
		t.Errorf("POST with Idempotency-Key: %d calls, want 3", f.calls.Load())
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	calls := atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	resp, err := newClient(srv.URL, nil).Get(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if calls.Load() != 1 {
		t.Errorf("404: %d calls, want 1", calls.Load())
	}
}

func TestAHangingAttemptTimesOutAndIsRetried(t *testing.T) {
	f, srv := newFlaky(t, "hang")
	obs := &attempts{}
	// The first attempt hangs, the second is answered.
	f.okFrom.Store(2)
	resp, err := newClient(srv.URL, obs).Get(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	want := []string{"dep GET error retry=false", "dep GET 200 retry=true"}
	if got := obs.list(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("attempts = %q, want %q", got, want)
	}
}

func TestTheCallersDeadlineIsNeverPassed(t *testing.T) {
	_, srv := newFlaky(t, "hang")
	obs := &attempts{}
	// Attempts far longer than the deadline: a client that ignored the deadline would take
	// at least one of them.
	c := New(Config{Name: "dep", BaseURL: srv.URL, AttemptTimeout: 3 * time.Second, MaxAttempts: 5, Observer: obs})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Get(ctx, "/")
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
	// The slack is for a loaded machine; the attempt timeout is far beyond it.
	if elapsed > 150*time.Millisecond+time.Second {
		t.Errorf("returned after %s, past the caller's 150ms deadline", elapsed)
	}
	if n := len(obs.list()); n != 1 {
		t.Errorf("%d attempts, want 1: no retry fits in what is left of the deadline", n)
	}
}

func TestTheRetryBudgetStopsRetriesToAFailingDependency(t *testing.T) {
	f, srv := newFlaky(t, "fail")
	c := newClient(srv.URL, nil)
	const requests = 20
	for range requests {
		resp, err := c.Get(context.Background(), "/")
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
	}
	// Without a budget: 3 attempts each. With 10 tokens, retries stop once 5 are spent.
	if calls := f.calls.Load(); calls >= requests*3 || calls > requests+5 {
		t.Errorf("%d calls for %d requests: the budget did not hold retries back", calls, requests)
	}
	// Successes refill the budget (0.1 each, up to 10): retries come back with the dependency.
	f.mode.Store("ok")
	for range 100 {
		resp, _ := c.Get(context.Background(), "/")
		_ = resp.Body.Close()
	}
	f.mode.Store("fail")
	f.calls.Store(0)
	resp, _ := c.Get(context.Background(), "/")
	_ = resp.Body.Close()
	if f.calls.Load() != 3 {
		t.Errorf("after recovery: %d calls, want 3 (retries allowed again)", f.calls.Load())
	}
}

func TestMetricsCountEveryAttempt(t *testing.T) {
	f, srv := newFlaky(t, "fail")
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := newClient(srv.URL, m).Get(context.Background(), "/")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	counted := map[string]float64{}
	for _, fam := range families {
		if fam.GetName() != "http_client_attempts_total" {
			continue
		}
		for _, s := range fam.GetMetric() {
			labels := map[string]string{}
			for _, l := range s.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			counted[labels["dependency"]+" "+labels["outcome"]+" retry="+labels["retry"]] += s.GetCounter().GetValue()
		}
	}
	want := map[string]float64{"dep 503 retry=false": 1, "dep 503 retry=true": 2}
	if fmt.Sprint(counted) != fmt.Sprint(want) || f.calls.Load() != 3 {
		t.Errorf("http_client_attempts_total = %v after %d calls, want %v", counted, f.calls.Load(), want)
	}
}
