package httpserver

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// RequestIDHeader carries the request id: adopted from the caller when sane, generated
// otherwise, and always echoed in the response.
const RequestIDHeader = "X-Request-Id"

// Unmatched is the route of requests no pattern matched (404 and 405 answers), so that
// logs and metrics never carry raw paths.
const Unmatched = "unmatched"

// Aborted is the status Observer.Done gets for a response that did not reach the client
// whole: a failed write, a connection closed by the client or the server, or a handler
// that outlasted WriteTimeout. Whatever status line the handler chose, the client never
// saw it, so it must not count as that status.
const Aborted = 0

// statusClientClosed is what the access log says of a request whose connection closed
// before the handler answered anything.
const statusClientClosed = 499

// Observer is told about each request that is not quiet; internal/metrics implements it.
type Observer interface {
	// Start is called before the handler runs.
	Start(method, route string)
	// Done is called when the handler has returned; status is Aborted for a response the
	// client did not get.
	Done(method, route string, status int, elapsed time.Duration)
	// Panicked is called when a handler panicked, before Done.
	Panicked(method, route string)
}

// Options configures Handler.
type Options struct {
	// Quiet lists routes (pattern paths such as "/healthz") kept out of the access log,
	// the Observer and Middleware: probes and scrapes would drown everything else.
	Quiet []string
	// Observer records request metrics; nil records none.
	Observer Observer
	// Middleware wraps every route that is not quiet, first one outermost, outside the
	// access log, so that it can enrich the request's logger (tracing adds trace_id).
	Middleware []func(http.Handler) http.Handler
	// MaxBodyBytes caps request bodies (http.MaxBytesReader); 0: no cap.
	MaxBodyBytes int64
	// RequestTimeout is the deadline of r.Context() for every route that is not quiet; a
	// handler that returns after it without having answered gets a 503 written for it.
	// 0: no deadline.
	RequestTimeout time.Duration
	// WriteTimeout is the server's: a handler that runs longer cannot have answered, so
	// its request counts as Aborted.
	WriteTimeout time.Duration
}

// Handler returns mux wrapped in the shared middleware. Every request gets a request id
// and a logger (zerolog.Ctx(r.Context())) carrying it, and r.Pattern is set before any
// middleware runs, so that all of them name the route the same way.
func Handler(mux *http.ServeMux, logger zerolog.Logger, opts Options) http.Handler {
	ids := newRequestIDs()
	// Probes and scrapes: no observer, no deadline, only the panic recovery.
	var quietOpts Options
	// With middleware, the request reaches the handler lookup found through it.
	var wrapped http.Handler
	if len(opts.Middleware) > 0 {
		wrapped = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The request comes back as it left, with the recorder: the handler found
			// before runs. A middleware that wrapped the writer or rewrote the URL gets
			// the request routed again.
			if rec, ok := w.(*recorder); ok && rec.next != nil && rec.url == r.URL {
				observe(rec, r, rec.next, &opts, true)
				return
			}
			observe(&recorder{ResponseWriter: w}, r, mux, &opts, true)
		})
		for i := len(opts.Middleware) - 1; i >= 0; i-- {
			wrapped = opts.Middleware[i](wrapped)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ServeMux sets r.Pattern only on the request it is handed, which the middleware
		// above it never sees; looking the pattern up first makes it known to all of them.
		var h http.Handler
		h, r.Pattern = lookup(mux, r)

		x := &exchange{id: r.Header.Get(RequestIDHeader)}
		if !saneRequestID(x.id) {
			x.id = ids.next()
		}
		x.header[0] = x.id
		w.Header()[RequestIDHeader] = x.header[:]
		// The id comes from a hook rather than from logger.With(), which copies the
		// logger's fields into a new 500-byte buffer on every request.
		l := logger.Hook(x)
		ctx := r.Context()
		isQuiet := slices.Contains(opts.Quiet, Route(r))
		if opts.RequestTimeout > 0 && !isQuiet {
			// Set here, with the logger, so that the request is copied once.
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, opts.RequestTimeout)
			defer cancel()
		}
		r = r.WithContext(l.WithContext(ctx))
		if opts.MaxBodyBytes > 0 && r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, opts.MaxBodyBytes)
		}

		x.rec.ResponseWriter = w
		switch {
		case isQuiet:
			observe(&x.rec, r, h, &quietOpts, false)
		case wrapped != nil:
			x.rec.next, x.rec.url = h, r.URL
			wrapped.ServeHTTP(&x.rec, r)
		default:
			observe(&x.rec, r, h, &opts, true)
		}
	})
}

// exchange is what the middleware keeps about one request, in one allocation.
type exchange struct {
	id     string
	header [1]string // the response header's value: id
	rec    recorder
}

// Run adds the request id to every line logged through the request's logger.
func (x *exchange) Run(e *zerolog.Event, _ zerolog.Level, _ string) {
	e.Str("request_id", x.id)
}

// lookup returns the handler that will serve r and the ServeMux pattern it was registered
// with, or "" if none was.
//
// The handler is the one ServeMux.Handler finds, which spares the request a second routing
// through the mux: ServeMux.ServeHTTP does just that, find the handler and call it, but it
// also sets the values of the pattern's wildcards (r.PathValue) and answers "OPTIONS *"
// itself, so for those lookup returns the mux.
//
// For a CONNECT request redirected from /dir to /dir/, ServeMux.Handler names the target
// path instead of a pattern: with a pattern such as "/files/{name}/" that would let clients
// mint any number of route names, and metrics series.
//
// Requests no pattern matches get JSON answers like the API's errors: 404, or 405 with
// Allow when another method's pattern matches the path, named after that pattern's path so
// that a client calling a route with the wrong method shows under the route.
func lookup(mux *http.ServeMux, r *http.Request) (http.Handler, string) {
	h, p := mux.Handler(r)
	if strings.Contains(p, "{") || r.RequestURI == "*" {
		h = mux
	}
	if !strings.HasSuffix(r.URL.Path, "/") && strings.HasSuffix(p, "/") {
		if c := path.Clean(r.URL.Path); len(p) == len(c)+1 && strings.HasPrefix(p, c) {
			return h, ""
		}
	}
	if p == "" && r.RequestURI != "*" && r.Method != http.MethodConnect && clean(r.URL.Path) {
		return unmatched(mux, r)
	}
	return h, p
}

// probedMethods are the methods tried to tell a 405 from a 404.
var probedMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// unmatched answers a request that no pattern matched: 405 if the path has patterns for
// other methods, 404 otherwise.
func unmatched(mux *http.ServeMux, r *http.Request) (http.Handler, string) {
	var allow []string
	route := ""
	probe := *r
	for _, m := range probedMethods {
		probe.Method = m
		if _, p := mux.Handler(&probe); p != "" {
			if i := strings.IndexByte(p, '/'); i >= 0 && route == "" {
				route = p[i:]
			}
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	if len(allow) == 0 {
		return http.HandlerFunc(notFound), ""
	}
	allowed := strings.Join(allow, ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", allowed)
		writeError(w, http.StatusMethodNotAllowed, "method not allowed")
	}), route
}

func notFound(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusNotFound, "not found")
}

// clean reports whether p needs no redirect to a cleaned path (which ServeMux does).
func clean(p string) bool {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}

// writeError answers a JSON error like the API's: {"error": "..."}.
func writeError(w http.ResponseWriter, status int, msg string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"error":"` + msg + `"}` + "\n"))
}

// Route is the path part of the pattern that matched r, e.g. "/api/v1/items/{id}".
func Route(r *http.Request) string {
	if i := strings.IndexByte(r.Pattern, '/'); i >= 0 {
		return r.Pattern[i:]
	}
	return Unmatched
}

// observe serves r with next through rec, and logs, measures and recovers from panics in
// one place. While it runs, r.Context() ends only for two reasons: the request deadline
// (context.DeadlineExceeded) or the connection, closed by the client or the server
// (context.Canceled).
func observe(rec *recorder, r *http.Request, next http.Handler, opts *Options, accessLog bool) {
	start := time.Now()
	route := Route(r)
	obs := opts.Observer
	if obs != nil {
		obs.Start(r.Method, route)
	}
	defer func() {
		v := recover()
		if v != nil && !isAbort(v) {
			if obs != nil {
				obs.Panicked(r.Method, route)
			}
			v = recovered(rec, r, v)
		}
		ended := r.Context().Err()
		if v == nil && rec.status == 0 && errors.Is(ended, context.DeadlineExceeded) {
			// The handler ran out of time and returned without answering: say so while
			// the connection still takes it (REQUEST_TIMEOUT < WRITE_TIMEOUT).
			writeError(rec, http.StatusServiceUnavailable, "request timed out")
		}
		elapsed := time.Since(start)
		status := rec.statusOrOK()
		aborted := ""
		switch {
		case v != nil:
			// The connection is cut (a panic after the answer began, or
			// http.ErrAbortHandler): the client got no complete response, and the fault
			// is the server's.
			aborted = "connection cut by the handler"
			status = http.StatusInternalServerError
		case rec.err != nil:
			aborted = "write failed"
		case errors.Is(ended, context.Canceled):
			aborted = "connection closed"
			if rec.status == 0 {
				// Nothing was answered: not a 200. 499 is nginx's "client closed request".
				status = statusClientClosed
			}
		case opts.WriteTimeout > 0 && elapsed >= opts.WriteTimeout:
			aborted = "past WRITE_TIMEOUT"
		}
		if accessLog {
			logRequest(r, route, status, aborted, rec.bytes, elapsed)
		}
		if obs != nil {
			if aborted != "" && v == nil {
				obs.Done(r.Method, route, Aborted, elapsed)
			} else {
				obs.Done(r.Method, route, status, elapsed)
			}
		}
		if v != nil {
			panic(v) // http.ErrAbortHandler: net/http drops the connection quietly
		}
	}()
	next.ServeHTTP(rec, r)
}

// recovered logs a handler's panic and answers 500, so that one bad request does not
// take the server down. If the response had already begun, it returns
// http.ErrAbortHandler to cut the connection: a truncated body must not look complete.
func recovered(rec *recorder, r *http.Request, v any) any {
	zerolog.Ctx(r.Context()).Error().
		Str("panic", fmt.Sprint(v)).
		Str("stack", string(debug.Stack())).
		Msg("handler panicked")
	if rec.status != 0 {
		return http.ErrAbortHandler
	}
	// The handler's headers (cookies, caching, length) were meant for another answer: the
	// 500 keeps only the request id and a "Connection: close" set for draining.
	h := rec.Header()
	for name := range h {
		if name != RequestIDHeader && name != "Connection" {
			delete(h, name)
		}
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	rec.WriteHeader(http.StatusInternalServerError)
	_, _ = rec.Write([]byte(`{"error":"internal server error"}` + "\n"))
	return nil
}

// isAbort reports whether a handler panicked with http.ErrAbortHandler, net/http's way
// of dropping a connection on purpose.
func isAbort(v any) bool {
	err, ok := v.(error)
	return ok && errors.Is(err, http.ErrAbortHandler)
}

// maxLogged bounds the request path and user agent in the access log: clients choose
// them, and a log line must stay a log line.
const maxLogged = 256

// logRequest writes the access log line. path is the request's path without the query,
// which may carry tokens; client is the connection's peer (behind a proxy, the proxy:
// X-Forwarded-For is whatever the client says unless a trusted proxy sets it).
//
// Levels: 500 and other server faults at error; 503 and 504 (a dependency down or slow,
// the service doing what it should) and other aborted responses at warn; the rest at info.
func logRequest(r *http.Request, route string, status int, aborted string, bytes int64, elapsed time.Duration) {
	level := zerolog.InfoLevel
	switch {
	case status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		level = zerolog.WarnLevel
	case status >= http.StatusInternalServerError:
		level = zerolog.ErrorLevel
	case aborted != "":
		level = zerolog.WarnLevel
	}
	client, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		client = r.RemoteAddr
	}
	e := zerolog.Ctx(r.Context()).WithLevel(level)
	if aborted != "" {
		e = e.Str("aborted", aborted)
	}
	e.Str("method", r.Method).
		Str("route", route).
		Str("path", bounded(r.URL.Path)).
		Str("client", client).
		Str("user_agent", bounded(r.UserAgent())).
		Int("status", status).
		Int64("bytes", bytes).
		Dur("duration_ms", elapsed).
		Msg("request")
}

// bounded cuts s to maxLogged bytes, marking the cut.
func bounded(s string) string {
	if len(s) <= maxLogged {
		return s
	}
	return strings.ToValidUTF8(s[:maxLogged], "") + "..."
}

// requestIDs makes request ids without a system call each: a random prefix drawn once per
// process, then a counter, e.g. "7QJ3XK2MBD5W-1042". Unique across processes and restarts
// with overwhelming odds (60 random bits), and cheaper than rand.Text() per request. The
// counter does tell clients how many requests this process has served; where that
// matters, use rand.Text() in next.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	return &requestIDs{prefix: rand.Text()[:12] + "-"}
}

func (g *requestIDs) next() string {
	var b [32]byte
	return string(strconv.AppendUint(append(b[:0], g.prefix...), g.n.Add(1), 10))
}

// saneRequestID accepts ids of up to 128 letters, digits and "-_.:", enough for UUIDs,
// ULIDs and trace ids, and keeps anything odd out of logs and headers.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// recorder remembers the status and size of a response, and whether writing it failed.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	err    error // the first failed write or flush
	// With middleware: the handler lookup found for the request with this URL.
	next http.Handler
	url  *url.URL
}

func (rec *recorder) WriteHeader(status int) {
	// 1xx answers (such as 103 Early Hints) precede the real one.
	if rec.status == 0 && status >= 200 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	if err != nil && rec.err == nil {
		rec.err = err
	}
	return n, err
}

// Flush keeps streaming handlers working: they type-assert http.Flusher.
func (rec *recorder) Flush() {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if err := http.NewResponseController(rec.ResponseWriter).Flush(); err != nil && rec.err == nil {
		rec.err = err
	}
}

// Unwrap lets http.ResponseController reach the connection's other features.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

func (rec *recorder) statusOrOK() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}
