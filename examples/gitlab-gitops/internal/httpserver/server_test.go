package httpserver

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serve starts a Server for h on a free local port.
func serve(t *testing.T, h http.Handler) (*Server, string, <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(h, Timeouts{ReadHeader: time.Second, Read: time.Second, Write: 5 * time.Second, Idle: time.Minute}, nil)
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	t.Cleanup(func() { _ = s.http.Close() })
	return s, "http://" + ln.Addr().String(), served
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	_, _ = io.WriteString(w, "ok")
})

// post sends a request net/http's client will not retry, so that no failure is hidden.
func post(client *http.Client, url string) (*http.Response, error) {
	resp, err := client.Post(url, "text/plain", strings.NewReader("x"))
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp, resp.Body.Close()
}

func TestShutdownFailsNoKeepAliveRequest(t *testing.T) {
	s, url, served := serve(t, ok)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sent int
	var failures []error
	// Shutdown starts once the clients are in full swing: every connection has served
	// requests and is being reused.
	busy := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			for {
				_, err := post(client, url)
				mu.Lock()
				sent++
				if sent == 200 {
					close(busy)
				}
				if err != nil && !errors.Is(err, syscall.ECONNREFUSED) {
					failures = append(failures, err)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	stopped := make(chan struct{})
	go func() {
		wg.Wait()
		close(stopped)
	}()
	select {
	case <-busy:
	case <-stopped:
		t.Fatalf("every client stopped before the shutdown: %v", failures)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	<-stopped
	if len(failures) > 0 {
		t.Errorf("%d of %d requests failed; the first: %v", len(failures), sent, failures[0])
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
	}
}

func TestShutdownAsksIdleClientsToReconnect(t *testing.T) {
	s, url, _ := serve(t, ok)
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	roundTrip := func() *http.Response {
		t.Helper()
		if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp
	}
	if resp := roundTrip(); resp.Close {
		t.Fatal("Connection: close before shutdown")
	}

	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(context.Background()) }()
	for !s.draining.Load() {
		time.Sleep(time.Millisecond)
	}
	// The connection is idle: Shutdown waits for it rather than closing it under the client.
	if resp := roundTrip(); resp.StatusCode != http.StatusOK || !resp.Close {
		t.Errorf("during shutdown: %s, Connection: close %v; want 200 and close", resp.Status, resp.Close)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > linger/2 {
		t.Errorf("Shutdown took %v: it should end once the last connection closed", elapsed)
	}
	if _, err := http.Get(url); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("after shutdown: %v, want connection refused", err)
	}
}

func TestShutdownTimeoutCutsRequestsOff(t *testing.T) {
	started := make(chan struct{})
	s, url, _ := serve(t, http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
	}))
	got := make(chan error, 1)
	go func() {
		_, err := http.Get(url)
		got <- err
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want context.DeadlineExceeded", err)
	}
	if err := <-got; err == nil {
		t.Error("the request outlived the shutdown timeout")
	}
}

func TestNewSetsEveryTimeout(t *testing.T) {
	s := New(http.NotFoundHandler(), Timeouts{ReadHeader: 1, Read: 2, Write: 3, Idle: 4}, nil).http
	if s.ReadHeaderTimeout != 1 || s.ReadTimeout != 2 || s.WriteTimeout != 3 || s.IdleTimeout != 4 || s.MaxHeaderBytes != maxHeaderBytes {
		t.Errorf("server = %+v", s)
	}
}
