package health

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"
)

// probe calls the handler and decodes its answer.
func probe(t *testing.T, h http.Handler) (int, response) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ready", nil))
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var body response
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return rec.Code, body
}

func TestLive(t *testing.T) {
	code, body := probe(t, http.HandlerFunc(Live))
	if code != http.StatusOK || body.Status != "ok" {
		t.Errorf("Live = %d %+v, want 200 ok", code, body)
	}
}

func TestReadinessFollowsTheLifecycle(t *testing.T) {
	var rd Readiness
	steps := []struct {
		do         func()
		wantCode   int
		wantStatus string
	}{
		{func() {}, http.StatusServiceUnavailable, "starting"},
		{rd.Ready, http.StatusOK, "ready"},
		{rd.Stopping, http.StatusServiceUnavailable, "stopping"},
		{rd.Ready, http.StatusServiceUnavailable, "stopping"}, // no way back
	}
	for i, step := range steps {
		step.do()
		code, body := probe(t, &rd)
		if code != step.wantCode || body.Status != step.wantStatus {
			t.Errorf("step %d: %d %+v, want %d %s", i, code, body, step.wantCode, step.wantStatus)
		}
	}
}

func TestReadinessNamesFailedChecks(t *testing.T) {
	var rd Readiness
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	rd.Add("ok", time.Second, func(context.Context) error { return nil })
	rd.Add("down", time.Second, func(context.Context) error { return errors.New("connection refused") })
	rd.Add("slow", 20*time.Millisecond, func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	rd.Add("deaf", 20*time.Millisecond, func(context.Context) error {
		<-hang // ignores its context
		return nil
	})
	rd.Add("panics", time.Second, func(context.Context) error { panic("bug") })
	rd.Ready()

	start := time.Now()
	code, body := probe(t, &rd)
	if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
		t.Errorf("probe took %v: checks must run concurrently and give up at their timeout", elapsed)
	}
	if want := []string{"down", "slow", "deaf", "panics"}; code != http.StatusServiceUnavailable || !slices.Equal(body.Failed, want) {
		t.Errorf("got %d %+v, want 503 with failed %v", code, body, want)
	}
}

func TestReadinessPassesWhenChecksPass(t *testing.T) {
	var rd Readiness
	rd.Add("db", time.Second, func(context.Context) error { return nil })
	rd.Ready()
	if code, body := probe(t, &rd); code != http.StatusOK || body.Status != "ready" || body.Failed != nil {
		t.Errorf("got %d %+v, want 200 ready", code, body)
	}
}

func TestAddRejectsMistakes(t *testing.T) {
	noop := func(context.Context) error { return nil }
	var rd Readiness
	rd.Add("db", time.Second, noop)
	for name, add := range map[string]func(){
		"duplicate name":   func() { rd.Add("db", time.Second, noop) },
		"no timeout":       func() { rd.Add("cache", 0, noop) },
		"negative timeout": func() { rd.Add("queue", -time.Second, noop) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Add did not panic")
				}
			}()
			add()
		})
	}
}

func TestProbe(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
	}))
	defer srv.Close()

	if err := Probe(context.Background(), srv.URL); err != nil {
		t.Errorf("Probe of a healthy server: %v", err)
	}
	status = http.StatusServiceUnavailable
	if err := Probe(context.Background(), srv.URL); err == nil {
		t.Error("Probe of a 503 answer succeeded")
	}
	srv.Close()
	if err := Probe(context.Background(), srv.URL); err == nil {
		t.Error("Probe of a closed server succeeded")
	}
}

func TestFixedAnswersAreEncoded(t *testing.T) {
	for body, r := range map[*[]byte]response{
		&bodyOK: {Status: "ok"}, &bodyStarting: {Status: "starting"},
		&bodyReady: {Status: "ready"}, &bodyStopping: {Status: "stopping"},
	} {
		if want := encode(r); string(*body) != string(want) {
			t.Errorf("%q, want %q", *body, want)
		}
	}
}
