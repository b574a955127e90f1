// Package health serves the probes: /healthz (liveness) and /ready (readiness, with a
// registry of dependency checks), and probes /healthz for the healthcheck command.
package health

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// Live answers the liveness probe. It checks nothing on purpose: a failing liveness
// probe restarts the container, and a restart does not fix a database that is down.
func Live(w http.ResponseWriter, _ *http.Request) {
	writeBody(w, http.StatusOK, bodyOK)
}

// The fixed answers, as encode would write them: probes come every few seconds for the
// life of the pod, and the first of them waits for the service to start.
var (
	bodyOK       = []byte(`{"status":"ok"}` + "\n")
	bodyStarting = []byte(`{"status":"starting"}` + "\n")
	bodyReady    = []byte(`{"status":"ready"}` + "\n")
	bodyStopping = []byte(`{"status":"stopping"}` + "\n")
)

// A Check reports whether a dependency the service cannot work without is usable.
// It must return when ctx is done.
type Check func(ctx context.Context) error

type namedCheck struct {
	name    string
	timeout time.Duration
	check   Check
}

// Readiness answers the readiness probe: 503 while starting, 200 once Ready was called
// and every check passes, 503 again from Stopping on.
type Readiness struct {
	state  atomic.Int32
	mu     sync.RWMutex
	checks []namedCheck
}

const (
	starting int32 = iota
	ready
	stopping
)

// Add registers a check that must pass within timeout for the service to be ready.
// Names must be unique. For a database:
//
//	readiness.Add("postgres", 2*time.Second, db.PingContext)
func (rd *Readiness) Add(name string, timeout time.Duration, check Check) {
	if timeout <= 0 {
		panic(fmt.Sprintf("health: check %q needs a positive timeout", name))
	}
	rd.mu.Lock()
	defer rd.mu.Unlock()
	if slices.ContainsFunc(rd.checks, func(c namedCheck) bool { return c.name == name }) {
		panic(fmt.Sprintf("health: check %q added twice", name))
	}
	rd.checks = append(rd.checks, namedCheck{name: name, timeout: timeout, check: check})
}

// Ready marks start-up as done.
func (rd *Readiness) Ready() { rd.state.CompareAndSwap(starting, ready) }

// Stopping marks the start of shutdown; the probe fails from now on.
func (rd *Readiness) Stopping() { rd.state.Store(stopping) }

type response struct {
	Status string   `json:"status"`
	Failed []string `json:"failed,omitempty"`
}

// ServeHTTP runs every check concurrently and answers 503 naming those that failed.
// Errors go to the log, not into the response: /ready may be reachable from outside.
func (rd *Readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch rd.state.Load() {
	case starting:
		writeBody(w, http.StatusServiceUnavailable, bodyStarting)
		return
	case stopping:
		writeBody(w, http.StatusServiceUnavailable, bodyStopping)
		return
	}
	if failed := rd.run(r.Context()); len(failed) > 0 {
		writeBody(w, http.StatusServiceUnavailable, encode(response{Status: "unavailable", Failed: failed}))
		return
	}
	writeBody(w, http.StatusOK, bodyReady)
}

// run returns the names of the checks that failed, in the order they were added.
func (rd *Readiness) run(ctx context.Context) []string {
	rd.mu.RLock()
	checks := slices.Clone(rd.checks)
	rd.mu.RUnlock()
	if len(checks) == 0 {
		return nil
	}

	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() { errs[i] = runCheck(ctx, c) })
	}
	wg.Wait()

	var failed []string
	for i, err := range errs {
		if err != nil {
			zerolog.Ctx(ctx).Warn().Err(err).Str("check", checks[i].name).Msg("readiness check failed")
			failed = append(failed, checks[i].name)
		}
	}
	return failed
}

// runCheck gives check until its deadline. A check that ignores ctx is abandoned then
// (its goroutine ends when it returns), and a panic counts as a failure, not a crash.
func runCheck(ctx context.Context, c namedCheck) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				done <- fmt.Errorf("panic: %v", v)
			}
		}()
		done <- c.check(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("no answer within %s: %w", c.timeout, ctx.Err())
	}
}

// Probe GETs url (http://host:port/path) and returns an error unless the answer is 200 OK.
// The healthcheck command uses it, so that images without a shell or curl can have a
// HEALTHCHECK. It speaks HTTP/1.1 over one connection by itself rather than through
// http.Client: the client's Transport (connection pool, proxies, HTTP/2) would be linked
// into the service for this alone, about 190 KB of the binary.
func Probe(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if req.URL.Scheme != "http" {
		return fmt.Errorf("probe %s: only http:// URLs", url)
	}
	host := req.URL.Host
	if req.URL.Port() == "" {
		host = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	req.Close = true // Connection: close, one request per connection
	if err := req.Write(conn); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return nil
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// encode returns r as JSON, ending with a newline like json.Encoder's output.
func encode(r response) []byte {
	b, _ := json.Marshal(r) // cannot fail: strings only
	return append(b, '\n')
}
