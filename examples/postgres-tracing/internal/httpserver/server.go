// Package httpserver builds the HTTP server: its timeouts, a shutdown that keep-alive
// clients survive, and the middleware every request passes through (request id, access
// log, panic recovery, metrics).
package httpserver

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// maxHeaderBytes caps request headers well below net/http's 1 MiB default while leaving
// room for large cookies and tokens.
const maxHeaderBytes = 64 << 10

// linger is how long Shutdown lets open connections finish on their own before
// http.Server.Shutdown closes those that are idle. A client that uses its keep-alive
// connection sends a request within that time, and the answer tells it to reconnect.
const linger = time.Second

// Timeouts bound how long a client may hold a connection. A zero timeout would mean
// none at all, letting slow or idle clients pin connections and goroutines.
type Timeouts struct {
	// ReadHeader is the time to read the request headers (slowloris protection).
	ReadHeader time.Duration
	// Read is the time to read the whole request, body included.
	Read time.Duration
	// Write runs from the end of the headers to the end of the response.
	Write time.Duration
	// Idle is how long a keep-alive connection may wait for its next request.
	Idle time.Duration
}

// Server is an http.Server whose Shutdown does not fail requests that keep-alive clients
// are sending at that moment.
type Server struct {
	http     *http.Server
	draining atomic.Bool

	mu       sync.Mutex
	listener net.Listener
	conns    map[net.Conn]struct{} // open, not hijacked
}

// New returns a server for h. errorLog receives net/http's own complaints, such as
// failed TLS handshakes or a handler writing the header twice.
func New(h http.Handler, t Timeouts, errorLog *log.Logger) *Server {
	s := &Server{conns: make(map[net.Conn]struct{})}
	s.http = &http.Server{
		Handler:           s.closeWhenDraining(h),
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          errorLog,
		ConnState:         s.track,
	}
	return s
}

// Serve accepts connections on ln until Shutdown, which makes it return
// http.ErrServerClosed.
func (s *Server) Serve(ln net.Listener) error {
	ln = &closeOnce{Listener: ln}
	s.mu.Lock()
	s.listener = ln
	s.mu.Unlock()
	err := s.http.Serve(ln)
	if s.draining.Load() && errors.Is(err, net.ErrClosed) {
		return http.ErrServerClosed
	}
	return err
}

// Shutdown stops the server gracefully. http.Server.Shutdown alone closes idle keep-alive
// connections at once, failing any request a client is sending on one just then; so first:
//
//  1. the listener closes: new connections are refused, so clients go elsewhere;
//  2. every response asks its client to close the connection ("Connection: close");
//  3. connections get up to linger to close that way.
//
// Then http.Server.Shutdown closes the connections left idle and waits for the requests
// still running. If ctx ends first, every connection is closed and ctx's error returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if s.listener != nil {
		_ = s.listener.Close()
	}
	s.mu.Unlock()
	// Only now: a client told to reconnect any earlier could land in the listen queue,
	// whose connections the kernel resets when the listener closes.
	s.draining.Store(true)

	timer := time.NewTimer(linger)
	defer timer.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for s.open() > 0 {
		select {
		case <-tick.C:
			continue
		case <-timer.C:
		case <-ctx.Done():
		}
		break
	}

	if err := s.http.Shutdown(ctx); err != nil {
		_ = s.http.Close()
		return err
	}
	return nil
}

func (s *Server) closeWhenDraining(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		h.ServeHTTP(w, r)
	})
}

// track keeps count of the open connections. It is called twice per request too (active,
// idle), which it leaves alone.
func (s *Server) track(c net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
	case http.StateHijacked, http.StateClosed:
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}
}

func (s *Server) open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// closeOnce lets Shutdown close the listener before http.Server.Shutdown closes it again.
type closeOnce struct {
	net.Listener
	once sync.Once
	err  error
}

func (l *closeOnce) Close() error {
	l.once.Do(func() { l.err = l.Listener.Close() })
	return l.err
}
