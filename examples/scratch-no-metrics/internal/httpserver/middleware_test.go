package httpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// logBuffer is a log sink that handlers on other goroutines may write to.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// entries returns the log lines decoded.
func (b *logBuffer) entries(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(b.buf.String()) {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("not a JSON line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

// fakeObserver records what it is told.
type fakeObserver struct {
	mu     sync.Mutex
	events []string
	done   chan string // if set, gets the route of each Done
}

func (o *fakeObserver) Start(method, route string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, "start "+method+" "+route)
}

func (o *fakeObserver) Done(method, route string, status int, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	text := http.StatusText(status)
	if status == Aborted {
		text = "aborted"
	}
	o.events = append(o.events, "done "+method+" "+route+" "+text)
	if o.done != nil {
		o.done <- route
	}
}

func (o *fakeObserver) Panicked(method, route string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, "panic "+method+" "+route)
}

func (o *fakeObserver) list() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.events, "\n")
}

// newServer serves a few test routes through Handler.
func newServer(t *testing.T, opts Options) (*httptest.Server, *logBuffer) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		zerolog.Ctx(r.Context()).Info().Msg("inside the handler")
		_, _ = io.WriteString(w, "item "+r.PathValue("id"))
	})
	mux.HandleFunc("GET /files/{name}/", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "file")
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	})
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) {
		panic("something broke")
	})
	mux.HandleFunc("GET /panic-with-headers", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("Set-Cookie", "session=abc")
		w.Header().Set("Content-Length", "100")
		panic("broke after setting headers")
	})
	mux.HandleFunc("GET /panic-late", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "partial")
		_ = http.NewResponseController(w).Flush()
		panic("broke mid-response")
	})
	logs := &logBuffer{}
	opts.Quiet = []string{"/healthz"}
	srv := httptest.NewServer(Handler(mux, zerolog.New(logs), opts))
	t.Cleanup(srv.Close)
	return srv, logs
}

func get(t *testing.T, url string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp, string(body)
}

func TestRequestID(t *testing.T) {
	srv, logs := newServer(t, Options{})
	tests := []struct {
		name, sent string
		adopted    bool
	}{
		{"sane id is adopted", "req-42_a.b:c", true},
		{"none sent", "", false},
		{"spaces", "a b", false},
		{"quotes", `"x"`, false},
		{"too long", strings.Repeat("a", 129), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header := http.Header{}
			if tt.sent != "" {
				header.Set(RequestIDHeader, tt.sent)
			}
			resp, _ := get(t, srv.URL+"/items/1", header)
			got := resp.Header.Get(RequestIDHeader)
			if tt.adopted && got != tt.sent {
				t.Errorf("echoed %q, want the sent %q", got, tt.sent)
			}
			if !tt.adopted && (got == tt.sent || !saneRequestID(got)) {
				t.Errorf("echoed %q for %q, want a fresh id", got, tt.sent)
			}
			last := logs.entries(t)
			if id := last[len(last)-1]["request_id"]; id != got {
				t.Errorf("access log request_id = %v, response header %q", id, got)
			}
		})
	}
}

func TestGeneratedRequestIDsDiffer(t *testing.T) {
	srv, _ := newServer(t, Options{})
	seen := map[string]bool{}
	for range 3 {
		resp, _ := get(t, srv.URL+"/items/1", nil)
		id := resp.Header.Get(RequestIDHeader)
		if len(id) < 8 || !saneRequestID(id) || seen[id] {
			t.Errorf("generated id %q: want a fresh sane id of at least 8 characters (seen %v)", id, seen)
		}
		seen[id] = true
	}
}

func TestAccessLog(t *testing.T) {
	srv, logs := newServer(t, Options{})
	get(t, srv.URL+"/items/42", http.Header{RequestIDHeader: {"abc"}})
	get(t, srv.URL+"/healthz", nil)
	get(t, srv.URL+"/nowhere", nil)

	entries := logs.entries(t)
	if len(entries) != 3 {
		t.Fatalf("got %d lines, want the handler's, one access line and the 404's (not the probe):\n%v", len(entries), entries)
	}
	if e := entries[0]; e["message"] != "inside the handler" || e["request_id"] != "abc" {
		t.Errorf("the handler's logger lacks the request id: %v", e)
	}
	e := entries[1]
	for key, want := range map[string]any{
		"message": "request", "request_id": "abc", "method": "GET",
		"route": "/items/{id}", "status": 200.0, "bytes": 7.0,
	} {
		if e[key] != want {
			t.Errorf("%s = %v, want %v", key, e[key], want)
		}
	}
	if d, ok := e["duration_ms"].(float64); !ok || d < 0 {
		t.Errorf("duration_ms = %v", e["duration_ms"])
	}
	if e := entries[2]; e["route"] != Unmatched || e["status"] != 404.0 {
		t.Errorf("unmatched request logged as %v, want route %q, status 404", e, Unmatched)
	}
}

func TestAccessLogNamesThePathClientAndUserAgent(t *testing.T) {
	srv, logs := newServer(t, Options{})
	get(t, srv.URL+"/nowhere/at/all?secret=1", http.Header{"User-Agent": {"probe/1.0"}, RequestIDHeader: {"r-1"}})
	long := "/" + strings.Repeat("x", 5000)
	get(t, srv.URL+long, http.Header{"User-Agent": {strings.Repeat("a", 5000)}})

	entries := logs.entries(t)
	if len(entries) != 2 {
		t.Fatalf("got %d lines, want 2:\n%v", len(entries), entries)
	}
	for key, want := range map[string]any{
		"route": Unmatched, "status": 404.0, "path": "/nowhere/at/all", "client": "127.0.0.1",
		"user_agent": "probe/1.0", "request_id": "r-1",
	} {
		if entries[0][key] != want {
			t.Errorf("%s = %v, want %v", key, entries[0][key], want)
		}
	}
	path, _ := entries[1]["path"].(string)
	agent, _ := entries[1]["user_agent"].(string)
	if len(path) > 300 || !strings.HasPrefix(path, "/xxx") || len(agent) > 300 || !strings.HasPrefix(agent, "aaa") {
		t.Errorf("long path and user agent logged as %d and %d bytes, want them cut to a bounded length", len(path), len(agent))
	}
}

func TestRequestBodiesAreLimited(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		_, _ = io.WriteString(w, strconv.FormatInt(n, 10))
	})
	srv := httptest.NewServer(Handler(mux, zerolog.Nop(), Options{MaxBodyBytes: 100}))
	t.Cleanup(srv.Close)
	post := func(body io.Reader) int {
		resp, err := http.Post(srv.URL+"/upload", "text/plain", body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(strings.NewReader(strings.Repeat("x", 100))); got != http.StatusOK {
		t.Errorf("a body of the limit: %d, want 200", got)
	}
	if got := post(strings.NewReader(strings.Repeat("x", 101))); got != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over the limit, length known: %d, want 413", got)
	}
	// No Content-Length: the limit cuts the read off.
	if got := post(io.MultiReader(strings.NewReader(strings.Repeat("x", 1000)))); got != http.StatusRequestEntityTooLarge {
		t.Errorf("a streamed body over the limit: %d, want 413", got)
	}
}

func TestRouteNeverComesFromTheRequestPath(t *testing.T) {
	srv, logs := newServer(t, Options{})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, target := range []string{"/files/a", "/files/b/../c", "/files/d/", "//items/1"} {
		resp, err := noRedirect.Get(srv.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// Redirects are named after their pattern or Unmatched, depending on the Go version,
	// but never after the path asked for.
	allowed := []string{"/files/{name}/", "/items/{id}", Unmatched}
	for _, e := range logs.entries(t) {
		if route, _ := e["route"].(string); e["message"] == "request" && !slices.Contains(allowed, route) {
			t.Errorf("route %q for a %v answer", route, e["status"])
		}
	}
}

func TestPatternOfARedirectIsNeverAPath(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/files/{name}/", func(http.ResponseWriter, *http.Request) {})
	for _, method := range []string{http.MethodGet, http.MethodConnect} {
		if _, p := lookup(mux, httptest.NewRequest(method, "/files/a", nil)); p == "/files/a/" {
			t.Errorf("%s /files/a: pattern %q", method, p)
		}
	}
}

func TestLookupRoutesOnceUnlessTheMuxIsNeeded(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /plain", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /items/{id}", func(http.ResponseWriter, *http.Request) {})
	options := httptest.NewRequest(http.MethodOptions, "/", nil)
	options.RequestURI = "*"
	for _, tt := range []struct {
		r           *http.Request
		wantPattern string
		wantMux     bool // the mux must set the path values, or answer itself
	}{
		{httptest.NewRequest(http.MethodGet, "/plain", nil), "GET /plain", false},
		{httptest.NewRequest(http.MethodGet, "/items/1", nil), "GET /items/{id}", true},
		{httptest.NewRequest(http.MethodGet, "/nowhere", nil), "", false},
		{options, "", true},
	} {
		h, p := lookup(mux, tt.r)
		if p != tt.wantPattern || (h == http.Handler(mux)) != tt.wantMux {
			t.Errorf("%s %s: pattern %q, handler is the mux: %v; want %q, %v",
				tt.r.Method, tt.r.RequestURI, p, h == http.Handler(mux), tt.wantPattern, tt.wantMux)
		}
	}
}

func TestPanicBecomes500(t *testing.T) {
	srv, logs := newServer(t, Options{})
	resp, body := get(t, srv.URL+"/panic", nil)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "internal server error") {
		t.Errorf("got %d %q, want 500 with a JSON error", resp.StatusCode, body)
	}
	if resp, _ := get(t, srv.URL+"/items/1", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("after a panic the server answered %d", resp.StatusCode)
	}
	entries := logs.entries(t)
	p := entries[0]
	if p["level"] != "error" || p["panic"] != "something broke" || !strings.Contains(p["stack"].(string), "middleware_test.go") {
		t.Errorf("panic log line = %v", p)
	}
	if a := entries[1]; a["message"] != "request" || a["status"] != 500.0 || a["level"] != "error" {
		t.Errorf("access log line = %v", a)
	}
}

func TestPanicAfterTheResponseBeganCutsTheConnection(t *testing.T) {
	srv, _ := newServer(t, Options{})
	resp, err := http.Get(srv.URL + "/panic-late")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("reading a response cut short by a panic: %v, want unexpected EOF", err)
	}
}

func TestPanicAnswerDropsTheHandlersHeaders(t *testing.T) {
	srv, _ := newServer(t, Options{})
	resp, body := get(t, srv.URL+"/panic-with-headers", http.Header{RequestIDHeader: {"req-1"}})
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "internal server error") {
		t.Fatalf("got %d %q, want 500 with a JSON error", resp.StatusCode, body)
	}
	for _, name := range []string{"Cache-Control", "Set-Cookie"} {
		if got := resp.Header.Values(name); name == "Cache-Control" && !slices.Equal(got, []string{"no-store"}) || name == "Set-Cookie" && len(got) > 0 {
			t.Errorf("%s: %q went out with the 500", name, got)
		}
	}
	if got := resp.Header.Get(RequestIDHeader); got != "req-1" {
		t.Errorf("the 500 lost the request id: %q", got)
	}
}

func TestPanicAfterTheResponseBeganCountsAsAFailure(t *testing.T) {
	obs := &fakeObserver{}
	srv, logs := newServer(t, Options{Observer: obs})
	if resp, err := http.Get(srv.URL + "/panic-late"); err == nil {
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	obs.mu.Lock()
	events := strings.Join(obs.events, "\n")
	obs.mu.Unlock()
	if want := "start GET /panic-late\npanic GET /panic-late\ndone GET /panic-late Internal Server Error"; events != want {
		t.Errorf("observer events:\n%s\nwant:\n%s", events, want)
	}
	var access map[string]any
	for _, e := range logs.entries(t) {
		if e["message"] == "request" {
			access = e
		}
	}
	if access["status"] != 500.0 || access["level"] != "error" {
		t.Errorf("access log line = %v, want status 500 at level error", access)
	}
}

func TestObserverSeesEveryRouteButQuietOnes(t *testing.T) {
	obs := &fakeObserver{}
	srv, _ := newServer(t, Options{Observer: obs})
	get(t, srv.URL+"/items/7", nil)
	get(t, srv.URL+"/healthz", nil)
	get(t, srv.URL+"/panic", nil)
	want := []string{
		"start GET /items/{id}", "done GET /items/{id} OK",
		"start GET /panic", "panic GET /panic", "done GET /panic Internal Server Error",
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if strings.Join(obs.events, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(obs.events, "\n"), strings.Join(want, "\n"))
	}
}

// discard is a ResponseWriter that allocates nothing.
type discard struct{ h http.Header }

func (w discard) Header() http.Header       { return w.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// Middleware costs the request nothing of its own: the handler that lookup found is the
// one that runs (no second routing through the mux), through the same recorder.
func TestMiddlewareAddsNoWorkOfItsOwn(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /plain", func(http.ResponseWriter, *http.Request) {})
	pass := func(next http.Handler) http.Handler { return next }
	allocs := func(opts Options) float64 {
		h := Handler(mux, zerolog.Nop(), opts)
		w := discard{h: http.Header{}}
		r := httptest.NewRequest(http.MethodGet, "/plain", nil)
		r.Header.Set(RequestIDHeader, "fixed-id")
		return testing.AllocsPerRun(200, func() { h.ServeHTTP(w, r) })
	}
	without := allocs(Options{})
	with := allocs(Options{Middleware: []func(http.Handler) http.Handler{pass}})
	if with != without {
		t.Errorf("a request allocates %.0f times through a middleware that adds nothing, %.0f without", with, without)
	}
}

// A middleware that rewrites the request (here: strips a prefix) gets it routed anew.
func TestMiddlewareThatRewritesTheRequestIsRoutedAgain(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/items", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("v2")) })
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("items")) })
	strip := func(next http.Handler) http.Handler { return http.StripPrefix("/v2", next) }
	h := Handler(mux, zerolog.Nop(), Options{Middleware: []func(http.Handler) http.Handler{strip}})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v2/items", nil))
	if w.Body.String() != "items" {
		t.Errorf("body %q, want the handler of the rewritten path", w.Body.String())
	}
}

func TestMiddlewareSeesTheRouteAndEnrichesTheLogger(t *testing.T) {
	var patterns []string
	mw := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			patterns = append(patterns, r.Pattern)
			l := zerolog.Ctx(r.Context()).With().Str("extra", "yes").Logger()
			next.ServeHTTP(w, r.WithContext(l.WithContext(r.Context())))
		})
	}
	srv, logs := newServer(t, Options{Middleware: []func(http.Handler) http.Handler{mw}})
	get(t, srv.URL+"/items/9", nil)
	get(t, srv.URL+"/healthz", nil)
	if len(patterns) != 1 || patterns[0] != "GET /items/{id}" {
		t.Errorf("middleware saw patterns %q, want only GET /items/{id}", patterns)
	}
	entries := logs.entries(t)
	if access := entries[len(entries)-1]; access["extra"] != "yes" {
		t.Errorf("the access log does not use the middleware's logger: %v", access)
	}
}

// A handler that honours r.Context() and runs out of time gets a 503 answered for it, and
// that is what the log and the metrics see.
func TestRequestTimeoutAnswers503(t *testing.T) {
	obs := &fakeObserver{}
	mux := http.NewServeMux()
	var deadline bool
	mux.HandleFunc("GET /slow", func(_ http.ResponseWriter, r *http.Request) {
		_, deadline = r.Context().Deadline()
		<-r.Context().Done() // a query that waits for a lock, say
	})
	logs := &logBuffer{}
	srv := httptest.NewServer(Handler(mux, zerolog.New(logs), Options{Observer: obs, RequestTimeout: 50 * time.Millisecond}))
	t.Cleanup(srv.Close)
	resp, body := get(t, srv.URL+"/slow", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || body != `{"error":"request timed out"}`+"\n" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("got %d %q, want 503 with a JSON error", resp.StatusCode, body)
	}
	if !deadline {
		t.Error("r.Context() had no deadline")
	}
	if got, want := obs.list(), "start GET /slow\ndone GET /slow Service Unavailable"; got != want {
		t.Errorf("observer events:\n%s\nwant:\n%s", got, want)
	}
	e := logs.entries(t)
	if a := e[len(e)-1]; a["status"] != 503.0 || a["level"] != "warn" {
		t.Errorf("access log line = %v, want status 503 at warn", a)
	}
}

// A client that hangs up before the handler answers never got the 200 the handler then
// writes: metrics count it as aborted, the log says so at warn.
func TestResponseToAClientGoneIsAborted(t *testing.T) {
	obs := &fakeObserver{done: make(chan string, 1)}
	started := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /wait", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		_, _ = io.WriteString(w, "too late")
	})
	logs := &logBuffer{}
	srv := httptest.NewServer(Handler(mux, zerolog.New(logs), Options{Observer: obs, RequestTimeout: time.Minute}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/wait", nil)
	go func() {
		<-started
		cancel()
	}()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the request was answered")
	}
	<-obs.done
	if got, want := obs.list(), "start GET /wait\ndone GET /wait aborted"; got != want {
		t.Errorf("observer events:\n%s\nwant:\n%s", got, want)
	}
	e := logs.entries(t)
	if a := e[len(e)-1]; a["aborted"] != "connection closed" || a["level"] != "warn" {
		t.Errorf("access log line = %v, want aborted at warn", a)
	}
}

// A handler that writes nothing for a client that has gone is logged as 499, not 200.
func TestNothingAnsweredToAClientGoneIsNot200(t *testing.T) {
	obs := &fakeObserver{done: make(chan string, 1)}
	started := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /wait", func(_ http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	})
	logs := &logBuffer{}
	srv := httptest.NewServer(Handler(mux, zerolog.New(logs), Options{Observer: obs}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/wait", nil)
	go func() {
		<-started
		cancel()
	}()
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the request was answered")
	}
	<-obs.done
	e := logs.entries(t)
	if a := e[len(e)-1]; a["status"] != 499.0 || a["aborted"] != "connection closed" || a["level"] != "warn" {
		t.Errorf("access log line = %v, want 499, aborted, at warn", a)
	}
}

// A handler that outlasts the server's WriteTimeout cannot have answered, even if its
// write went into the buffer without an error.
func TestHandlerPastWriteTimeoutIsAborted(t *testing.T) {
	const writeTimeout = 100 * time.Millisecond
	obs := &fakeObserver{done: make(chan string, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stuck", func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(writeTimeout) // ignores its context: the case WriteTimeout is for
		_, _ = io.WriteString(w, "done")
	})
	logs := &logBuffer{}
	srv := httptest.NewUnstartedServer(Handler(mux, zerolog.New(logs), Options{Observer: obs, WriteTimeout: writeTimeout}))
	srv.Config.WriteTimeout = writeTimeout
	srv.Start()
	t.Cleanup(srv.Close)
	if resp, err := http.Get(srv.URL + "/stuck"); err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil && resp.StatusCode == http.StatusOK {
			t.Log("the client got the answer after all")
		}
	}
	<-obs.done
	if got, want := obs.list(), "start GET /stuck\ndone GET /stuck aborted"; got != want {
		t.Errorf("observer events:\n%s\nwant:\n%s", got, want)
	}
	e := logs.entries(t)
	if a := e[len(e)-1]; a["aborted"] != "past WRITE_TIMEOUT" || a["level"] != "warn" {
		t.Errorf("access log line = %v, want aborted at warn", a)
	}
}

// Requests no route matches get JSON like the API's errors; a wrong method is counted
// under the route it was meant for, with Allow.
func TestUnmatchedRequestsGetJSONAndTheirRoute(t *testing.T) {
	obs := &fakeObserver{}
	srv, logs := newServer(t, Options{Observer: obs})
	resp, body := get(t, srv.URL+"/nowhere", nil)
	if resp.StatusCode != http.StatusNotFound || body != `{"error":"not found"}`+"\n" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("404: got %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/items/7", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || string(b) != `{"error":"method not allowed"}`+"\n" || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("405: got %d Allow %q %q", resp.StatusCode, resp.Header.Get("Allow"), b)
	}
	want := "start GET unmatched\ndone GET unmatched Not Found\nstart DELETE /items/{id}\ndone DELETE /items/{id} Method Not Allowed"
	if got := obs.list(); got != want {
		t.Errorf("observer events:\n%s\nwant:\n%s", got, want)
	}
	e := logs.entries(t)
	if a := e[len(e)-1]; a["route"] != "/items/{id}" || a["status"] != 405.0 {
		t.Errorf("access log line = %v, want the route and 405", a)
	}
}
