package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/example/postgres-tracing/internal/config"
)

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is a service started by startService.
type running struct {
	addr     string
	logs     *syncBuffer
	cancel   context.CancelFunc
	finished chan struct{}
	err      error
}

// wait returns run's result.
func (r *running) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-r.finished:
		return r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("the service did not stop; log:\n%s", r.logs)
		return nil
	}
}

// startService runs a service on a free local port, with edit applied to the default
// configuration and setup to the service before it starts.
func startService(t *testing.T, edit func(*config.Config), setup func(*service)) *running {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Host, cfg.Port, cfg.AdminPort, cfg.ShutdownDelay = "127.0.0.1", 0, 0, 0
	if edit != nil {
		edit(&cfg)
	}
	r := &running{logs: &syncBuffer{}, finished: make(chan struct{})}
	s := newService(cfg, zerolog.New(r.logs))
	if setup != nil {
		setup(s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		defer close(r.finished)
		r.err = s.run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-r.finished
	})

	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		for line := range strings.Lines(r.logs.String()) {
			var e struct{ Message, Addr string }
			if json.Unmarshal([]byte(line), &e) != nil {
				continue
			}
			switch e.Message {
			case "listening":
				r.addr = e.Addr
			case "ready":
				return r
			}
		}
		select {
		case <-r.finished:
			t.Fatalf("the service stopped at start-up: %v\n%s", r.err, r.logs)
		default:
		}
	}
	t.Fatalf("the service did not become ready; log:\n%s", r.logs)
	return nil
}

// slowRoute adds GET /test/slow, which closes started and then waits for release or the
// client to go away.
func slowRoute(started chan<- struct{}, release <-chan struct{}) func(*service) {
	return func(s *service) {
		s.mux.HandleFunc("GET /test/slow", func(w http.ResponseWriter, r *http.Request) {
			close(started)
			select {
			case <-release:
				_, _ = io.WriteString(w, "finished")
			case <-r.Context().Done():
			}
		})
	}
}

// client does not keep connections, which shutdown would wait for.
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// getAsync GETs url and delivers the body, or the error's text.
func getAsync(url string) <-chan string {
	out := make(chan string, 1)
	go func() {
		resp, err := client.Get(url)
		if err != nil {
			out <- err.Error()
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			out <- err.Error()
			return
		}
		out <- string(body)
	}()
	return out
}

func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	r := startService(t, nil, slowRoute(started, release))
	body := getAsync("http://" + r.addr + "/test/slow")
	<-started
	r.cancel()
	time.Sleep(50 * time.Millisecond) // shutdown is now waiting for the request
	close(release)
	if got := <-body; got != "finished" {
		t.Errorf("in-flight request got %q, want it to finish", got)
	}
	if err := r.wait(t); err != nil {
		t.Errorf("run: %v, want a clean stop", err)
	}
}

func TestShutdownTimeoutIsAnError(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	r := startService(t, func(c *config.Config) { c.ShutdownTimeout = 100 * time.Millisecond }, slowRoute(started, release))
	body := getAsync("http://" + r.addr + "/test/slow")
	<-started
	r.cancel()
	err := r.wait(t)
	if err == nil || !strings.Contains(err.Error(), "SHUTDOWN_TIMEOUT=100ms") {
		t.Errorf("run: %v, want an error naming SHUTDOWN_TIMEOUT", err)
	}
	if got := <-body; got == "finished" {
		t.Error("the request outlived the shutdown timeout")
	}
}

func TestWorkersStopAfterTheServerDrainedLastFirst(t *testing.T) {
	var mu sync.Mutex
	var events []string
	record := func(e string) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
	}
	job := func(name string) worker {
		return worker{name: name, run: func(ctx context.Context) error {
			<-ctx.Done()
			record(name + " stopped")
			return ctx.Err()
		}}
	}
	started, release := make(chan struct{}), make(chan struct{})
	r := startService(t, nil, func(s *service) {
		slowRoute(started, release)(s)
		s.workers = append(s.workers, job("first"), job("second"))
	})
	body := getAsync("http://" + r.addr + "/test/slow")
	<-started
	r.cancel()
	time.Sleep(50 * time.Millisecond)
	record("request released")
	close(release)
	<-body
	if err := r.wait(t); err != nil {
		t.Fatalf("run: %v", err)
	}
	want := []string{"request released", "second stopped", "first stopped"}
	if !slices.Equal(events, want) {
		t.Errorf("events %q, want %q", events, want)
	}
}

func TestFailingWorkerStopsTheService(t *testing.T) {
	failed := make(chan struct{})
	r := startService(t, nil, func(s *service) {
		s.workers = append(s.workers, worker{name: "relay", run: func(context.Context) error {
			<-failed
			return errors.New("queue gone")
		}})
	})
	close(failed)
	err := r.wait(t)
	if err == nil || !strings.Contains(err.Error(), "worker relay: queue gone") {
		t.Errorf("run: %v, want the worker's error", err)
	}
}

func TestListenErrorIsReturned(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg, _ := config.Load(func(string) string { return "" })
	cfg.Host = "127.0.0.1"
	cfg.Port = taken.Addr().(*net.TCPAddr).Port
	err = newService(cfg, zerolog.Nop()).run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("run on a taken port: %v", err)
	}
}

func TestHealthcheck(t *testing.T) {
	r := startService(t, nil, nil)
	_, port, _ := net.SplitHostPort(r.addr)
	env := map[string]string{"PORT": port}
	if err := Healthcheck(context.Background(), func(k string) string { return env[k] }); err != nil {
		t.Errorf("Healthcheck of a running service: %v", err)
	}
	r.cancel()
	if err := r.wait(t); err != nil {
		t.Fatal(err)
	}
	if err := Healthcheck(context.Background(), func(k string) string { return env[k] }); err == nil {
		t.Error("Healthcheck succeeded with the service stopped")
	}
	env["PORT"] = "x"
	var cfgErr *config.Error
	if err := Healthcheck(context.Background(), func(k string) string { return env[k] }); !errors.As(err, &cfgErr) {
		t.Errorf("Healthcheck with PORT=x: %v, want a *config.Error", err)
	}
}
