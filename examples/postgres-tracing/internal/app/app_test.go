package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/example/postgres-tracing/internal/config"
	"github.com/example/postgres-tracing/internal/httpserver"
)

// syncBuffer collects log output written from several goroutines, and lets a test wait
// for a line: tests wait on what the service says it did, not on the clock.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed at the next write
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.changed != nil {
		close(b.changed)
		b.changed = nil
	}
	return b.buf.Write(p)
}

// hangGuard only ends a test that would otherwise hang: nothing waits for it to pass.
const hangGuard = time.Minute

// waitFor returns the first log line with this message once it is written, failing the
// test if done is closed first.
func (b *syncBuffer) waitFor(t *testing.T, message string, done <-chan struct{}) logLine {
	t.Helper()
	guard := time.After(hangGuard)
	for {
		b.mu.Lock()
		text := b.buf.String()
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		changed := b.changed
		b.mu.Unlock()
		for line := range strings.Lines(text) {
			var l logLine
			if json.Unmarshal([]byte(line), &l) == nil && l.Message == message {
				return l
			}
		}
		select {
		case <-changed:
		case <-done:
			t.Fatalf("stopped before logging %q:\n%s", message, text)
		case <-guard:
			t.Fatalf("no %q in the log after %s:\n%s", message, hangGuard, text)
		}
	}
}

type logLine struct {
	Message, Addr, Level, Signal string
	HTTP                         string `json:"http"`
	Workers                      string `json:"workers"`
	Closers                      string `json:"closers"`
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
	case <-time.After(hangGuard):
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

	r.addr = r.logs.waitFor(t, "listening", r.finished).Addr
	r.logs.waitFor(t, "ready", r.finished)
	return r
}

// draining is the line the drain logs just before it closes the listener and waits for
// the requests in flight.
const draining = "delay over: closing the listener, draining connections"

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
	r.logs.waitFor(t, draining, r.finished)
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
	r.logs.waitFor(t, draining, r.finished)
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

// shutdownWith runs the shutdown of a started service as if first had started it, with
// again holding the signals that come later.
func shutdownWith(t *testing.T, delay time.Duration, first received, again ...os.Signal) (*syncBuffer, error) {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.ShutdownDelay = delay
	logs := &syncBuffer{}
	s := newService(cfg, zerolog.New(logs))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httpserver.New(s.mux, httpserver.Timeouts{ReadHeader: time.Second, Read: time.Second, Write: time.Second, Idle: time.Second}, nil)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	signals := make(chan os.Signal, len(again))
	for _, sig := range again {
		signals <- sig
	}
	err = s.shutdown(srv, newSupervisor(zerolog.Nop()), first, signals)
	_ = srv.Shutdown(context.Background())
	<-served
	return logs, err
}

// Process-group delivery (tini -g, timeout, kill -- -PGID) sends SIGTERM twice back to
// back: the second is the same request, and must not abort the drain.
func TestDuplicateSIGTERMIsIgnored(t *testing.T) {
	// The delay keeps the drain busy while the duplicate, already queued, is read.
	logs, err := shutdownWith(t, 500*time.Millisecond, received{syscall.SIGTERM, time.Now()}, syscall.SIGTERM)
	if err != nil {
		t.Errorf("shutdown = %v, want a clean stop", err)
	}
	logs.waitFor(t, "duplicate signal ignored: still draining", nil)
}

// SIGINT, or a SIGTERM after the duplicate window, means someone wants the process gone:
// the drain (here an hour's SHUTDOWN_DELAY) is cut short.
func TestASecondSignalForcesTheExit(t *testing.T) {
	for _, tt := range []struct {
		name  string
		first received
		again os.Signal
	}{
		{"SIGINT at once", received{syscall.SIGTERM, time.Now()}, os.Interrupt},
		{"SIGTERM after the window", received{syscall.SIGTERM, time.Now().Add(-duplicateWindow)}, syscall.SIGTERM},
		{"SIGTERM after a SIGINT", received{os.Interrupt, time.Now()}, syscall.SIGTERM},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shutdownWith(t, time.Hour, tt.first, tt.again)
			if err == nil || !strings.Contains(err.Error(), "exited without draining") {
				t.Errorf("shutdown = %v, want it cut short", err)
			}
		})
	}
}

// A drain that uses its whole share still leaves the workers and closers theirs: a worker
// that stops at once is not reported as late, and each stage's error has its own field.
func TestShutdownStagesHaveTheirOwnBudgets(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	closed := make(chan error, 1)
	r := startService(t, func(c *config.Config) { c.ShutdownTimeout = 400 * time.Millisecond }, func(s *service) {
		slowRoute(started, release)(s)
		s.workers = append(s.workers, worker{name: "quick", run: func(ctx context.Context) error {
			<-ctx.Done()
			return nil
		}})
		s.closers = append(s.closers, func(ctx context.Context) error {
			// The closer is told what it got; its own result would fail the shutdown.
			_, hasDeadline := ctx.Deadline()
			switch err := ctx.Err(); {
			case err != nil:
				closed <- fmt.Errorf("closer got a context that had ended: %w", err)
			case !hasDeadline:
				closed <- errors.New("closer got a context without a deadline")
			default:
				closed <- nil
			}
			return nil
		})
	})
	body := getAsync("http://" + r.addr + "/test/slow")
	<-started
	r.cancel()
	err := r.wait(t)
	<-body
	if err == nil || !strings.Contains(err.Error(), "in-flight requests cut off") {
		t.Fatalf("run: %v, want the cut-off requests reported", err)
	}
	if strings.Contains(err.Error(), "did not stop in time") {
		t.Errorf("run: %v: the worker was given no time", err)
	}
	if err := <-closed; err != nil {
		t.Error(err)
	}
	l := r.logs.waitFor(t, "shutdown incomplete", nil)
	if l.Level != "error" || l.HTTP == "" || l.Workers != "" || l.Closers != "" {
		t.Errorf("shutdown incomplete logged as %+v, want the http stage's error alone", l)
	}
}
