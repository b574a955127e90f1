// Command loadgen sends keep-alive HTTP/1.1 GET requests to one address and counts what
// happens to every one of them. The real-cluster suite runs it inside a network namespace of
// its own, against a Service's cluster IP, while pods roll.
//
// It speaks HTTP over plain TCP connections it owns instead of net/http's client, because
// that client silently retries a GET whose reused connection was closed under it: exactly
// the failure a rolling update must not cause, and what this program has to see.
//
// Bounded by -max-requests and -duration (whichever comes first), and it stops when its
// standard input closes. Each line read from standard input starts a new phase named by the
// line; the result has the figures of every phase and of the whole run. Progress goes to
// stderr ("loadgen: started" once the first request has succeeded), the result to stdout as
// one JSON object.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type outcome int

const (
	ok outcome = iota
	failedStatus
	reset
	otherError
)

type sample struct {
	phase   int
	latency time.Duration
	outcome outcome
	status  int
	err     string
}

// Stats are the figures of one phase (or of the whole run).
type Stats struct {
	Name         string         `json:"name"`
	StartSeconds float64        `json:"startSeconds"`
	Seconds      float64        `json:"seconds"`
	Requests     int            `json:"requests"`
	OK           int            `json:"ok"`
	FailedStatus int            `json:"failedStatus"`
	Reset        int            `json:"reset"`
	OtherError   int            `json:"otherError"`
	Statuses     map[string]int `json:"statuses"`
	Errors       map[string]int `json:"errors"`
	P50Ms        float64        `json:"p50Ms"`
	P90Ms        float64        `json:"p90Ms"`
	P99Ms        float64        `json:"p99Ms"`
	MaxMs        float64        `json:"maxMs"`
}

// Result is what loadgen prints.
type Result struct {
	Target      string  `json:"target"`
	Connections int     `json:"connections"`
	Rate        float64 `json:"rate"`
	StopReason  string  `json:"stopReason"`
	// Connects counts TCP connections opened (the first of each worker included).
	Connects int     `json:"connects"`
	Total    Stats   `json:"total"`
	Phases   []Stats `json:"phases"`
}

func main() {
	target := flag.String("target", "", "host:port to connect to")
	path := flag.String("path", "/", "request path")
	host := flag.String("host", "", "Host header (default: -target)")
	conns := flag.Int("connections", 4, "concurrent keep-alive connections")
	rate := flag.Float64("rate", 200, "requests per second over all connections (0: as fast as answers come)")
	maxRequests := flag.Int("max-requests", 100000, "stop after this many requests")
	duration := flag.Duration("duration", time.Minute, "stop after this long")
	timeout := flag.Duration("timeout", 5*time.Second, "per-request timeout (connect, write, read)")
	flag.Parse()
	if *target == "" || *conns < 1 || *maxRequests < 1 || *duration <= 0 || *rate < 0 {
		fmt.Fprintln(os.Stderr, "loadgen: -target is required; -connections, -max-requests and -duration must be positive")
		os.Exit(2)
	}
	if *host == "" {
		*host = *target
	}
	res := run(config{
		target: *target, path: *path, host: *host, conns: *conns, rate: *rate,
		maxRequests: *maxRequests, duration: *duration, timeout: *timeout,
	})
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res); err != nil {
		os.Exit(1)
	}
}

type config struct {
	target, path, host string
	conns              int
	rate               float64
	maxRequests        int
	duration           time.Duration
	timeout            time.Duration
}

type phaseMark struct {
	name  string
	start time.Time
}

func run(c config) Result {
	start := time.Now()
	var (
		mu      sync.Mutex
		samples = make([]sample, 0, min(c.maxRequests, 1<<20))
		phases  = []phaseMark{{name: "start", start: start}}
	)
	var phase atomic.Int32
	var issued atomic.Int64
	var connects atomic.Int64
	var started sync.Once
	stop := make(chan struct{})
	var stopOnce sync.Once
	stopReason := ""
	halt := func(reason string) {
		stopOnce.Do(func() {
			mu.Lock()
			stopReason = reason
			mu.Unlock()
			close(stop)
		})
	}

	// Phases from stdin; its end stops the run.
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			name := strings.TrimSpace(sc.Text())
			if name == "" {
				continue
			}
			mu.Lock()
			phases = append(phases, phaseMark{name: name, start: time.Now()})
			phase.Store(int32(len(phases) - 1))
			mu.Unlock()
			fmt.Fprintf(os.Stderr, "loadgen: phase %s\n", name)
		}
		halt("stdin closed")
	}()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sigs
		halt("signal")
	}()
	timer := time.AfterFunc(c.duration, func() { halt("duration") })
	defer timer.Stop()

	// One shared pacer: a ticket per request at the given rate.
	var tickets <-chan time.Time
	if c.rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / c.rate))
		defer t.Stop()
		tickets = t.C
	}

	request := []byte(fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: cgks-loadgen\r\n\r\n", c.path, c.host))
	var wg sync.WaitGroup
	for range c.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var conn net.Conn
			var br *bufio.Reader
			closeConn := func() {
				if conn != nil {
					_ = conn.Close()
					conn, br = nil, nil
				}
			}
			defer closeConn()
			for {
				if tickets != nil {
					select {
					case <-stop:
						return
					case <-tickets:
					}
				} else {
					select {
					case <-stop:
						return
					default:
					}
				}
				if issued.Add(1) > int64(c.maxRequests) {
					halt("max-requests")
					return
				}
				p := int(phase.Load())
				t0 := time.Now()
				s := sample{phase: p}
				if conn == nil {
					d := net.Dialer{Timeout: c.timeout}
					nc, err := d.Dial("tcp", c.target)
					if err != nil {
						s.outcome, s.err = classify(err, "connect")
						s.latency = time.Since(t0)
						mu.Lock()
						samples = append(samples, s)
						mu.Unlock()
						continue
					}
					connects.Add(1)
					conn, br = nc, bufio.NewReader(nc)
				}
				_ = conn.SetDeadline(time.Now().Add(c.timeout))
				status, closeAfter, err := roundTrip(conn, br, request)
				s.latency = time.Since(t0)
				switch {
				case err != nil:
					s.outcome, s.err = classify(err, "request")
					closeConn()
				case status < 200 || status > 299:
					s.outcome, s.status = failedStatus, status
				default:
					s.outcome, s.status = ok, status
					started.Do(func() { fmt.Fprintln(os.Stderr, "loadgen: started") })
				}
				if closeAfter {
					closeConn()
				}
				mu.Lock()
				samples = append(samples, s)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	end := time.Now()

	mu.Lock()
	defer mu.Unlock()
	res := Result{Target: c.target, Connections: c.conns, Rate: c.rate, StopReason: stopReason, Connects: int(connects.Load())}
	res.Total = summarize("total", samples, start, start, end)
	for i, ph := range phases {
		phEnd := end
		if i+1 < len(phases) {
			phEnd = phases[i+1].start
		}
		var in []sample
		for _, s := range samples {
			if s.phase == i {
				in = append(in, s)
			}
		}
		res.Phases = append(res.Phases, summarize(ph.name, in, start, ph.start, phEnd))
	}
	return res
}

// roundTrip writes one request and reads its whole response; closeAfter is the server's
// "Connection: close" (or an HTTP/1.0 answer).
func roundTrip(conn net.Conn, br *bufio.Reader, request []byte) (status int, closeAfter bool, err error) {
	if _, err := conn.Write(request); err != nil {
		return 0, true, err
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, true, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return resp.StatusCode, true, err
	}
	return resp.StatusCode, resp.Close, nil
}

// classify names an error: a connection reset (ECONNRESET, or EPIPE from writing to a
// connection the peer reset) counts apart from everything else.
func classify(err error, stage string) (outcome, string) {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return reset, stage + ": connection reset"
	case errors.Is(err, syscall.ECONNREFUSED):
		return otherError, stage + ": connection refused"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return otherError, stage + ": connection closed without a response"
	case errors.As(err, &ne) && ne.Timeout():
		return otherError, stage + ": timeout"
	default:
		return otherError, stage + ": " + err.Error()
	}
}

func summarize(name string, samples []sample, runStart, from, to time.Time) Stats {
	st := Stats{
		Name: name, StartSeconds: from.Sub(runStart).Seconds(), Seconds: to.Sub(from).Seconds(),
		Statuses: map[string]int{}, Errors: map[string]int{},
	}
	lat := make([]float64, 0, len(samples))
	for _, s := range samples {
		st.Requests++
		switch s.outcome {
		case ok:
			st.OK++
		case failedStatus:
			st.FailedStatus++
		case reset:
			st.Reset++
		case otherError:
			st.OtherError++
		}
		if s.status != 0 {
			st.Statuses[fmt.Sprint(s.status)]++
		}
		if s.err != "" {
			st.Errors[s.err]++
		}
		lat = append(lat, float64(s.latency.Microseconds())/1000)
	}
	sort.Float64s(lat)
	st.P50Ms, st.P90Ms, st.P99Ms = quantile(lat, 0.5), quantile(lat, 0.9), quantile(lat, 0.99)
	if len(lat) > 0 {
		st.MaxMs = lat[len(lat)-1]
	}
	return st
}

// quantile of sorted xs, by the nearest-rank method; 0 for none.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[max(0, min(i, len(xs)-1))]
}
