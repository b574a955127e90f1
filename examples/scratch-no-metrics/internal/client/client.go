// Package client calls other services over HTTP the way a dependency that fails should be
// called: a timeout on every attempt, retries with exponential backoff and jitter only for
// idempotent requests and failures worth retrying, never past the caller's deadline, and a
// retry budget so that a dependency in trouble is not hammered by retries. Every attempt is
// reported to an Observer (the Prometheus metrics, with metrics on).
//
//	inventory := client.New(client.Config{Name: "inventory", BaseURL: "http://inventory:8080"})
//	resp, err := inventory.Get(ctx, "/api/v1/items/42")
package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Config describes one dependency. Zero values take the defaults in brackets.
type Config struct {
	// Name labels the dependency in metrics and errors, e.g. "inventory".
	Name string
	// BaseURL is prefixed to the paths given to Get and NewRequest.
	BaseURL string
	// AttemptTimeout bounds each attempt, headers and body [2s].
	AttemptTimeout time.Duration
	// MaxAttempts counts the first try and the retries [3].
	MaxAttempts int
	// InitialBackoff and MaxBackoff bound the wait between attempts [50ms, 1s]; the wait
	// doubles each time, with ±50% jitter so that clients do not retry in step.
	InitialBackoff, MaxBackoff time.Duration
	// Budget limits retries across all requests to this dependency (nil: the default).
	Budget *Budget
	// Observer is told about every attempt (nil: nobody).
	Observer Observer
	// Transport sends the requests [http.DefaultTransport].
	Transport http.RoundTripper
}

// Observer hears about each attempt: outcome is the status code, or "error" when no
// response came, and retry whether it was a retry.
type Observer interface {
	Attempt(dependency, method, outcome string, retry bool, elapsed time.Duration)
}

// Client sends requests to one dependency. It is safe for concurrent use.
type Client struct {
	cfg  Config
	http *http.Client
}

// New returns a client for the dependency cfg describes.
func New(cfg Config) *Client {
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 2 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.InitialBackoff <= 0 {
		cfg.InitialBackoff = 50 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = time.Second
	}
	if cfg.Budget == nil {
		cfg.Budget = NewBudget(10, 0.1)
	}
	transport := cfg.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	return &Client{cfg: cfg, http: &http.Client{Transport: transport}}
}

// NewRequest builds a request for path under BaseURL.
func (c *Client) NewRequest(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	return http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.cfg.BaseURL, "/")+path, body)
}

// Get sends GET path.
func (c *Client) Get(ctx context.Context, path string) (*http.Response, error) {
	req, err := c.NewRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

// Do sends req, retrying as the package comment says. The response is the last attempt's
// (a 503 after the last retry is returned as a response, not an error); its body must be
// closed. Requests with a body are retried only when req.GetBody can replay it, as it can
// for the bodies http.NewRequest knows (bytes, strings).
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	schedule := &backoff.ExponentialBackOff{
		InitialInterval:     c.cfg.InitialBackoff,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         c.cfg.MaxBackoff,
	}
	schedule.Reset()
	retryable := idempotent(req) && (req.Body == nil || req.Body == http.NoBody || req.GetBody != nil)
	for attempt := 1; ; attempt++ {
		resp, err := c.attempt(req, attempt > 1)
		why := retryReason(ctx, resp, err)
		if why == "" {
			c.cfg.Budget.succeeded()
			return resp, err
		}
		c.cfg.Budget.failed()
		wait := schedule.NextBackOff()
		if after := retryAfter(resp); after > wait && after <= c.cfg.MaxBackoff {
			wait = after
		}
		switch {
		case !retryable, attempt >= c.cfg.MaxAttempts:
		case !fitsDeadline(ctx, wait):
		case !c.cfg.Budget.allow():
		default:
			if resp != nil {
				drain(resp)
			}
			if err := sleep(ctx, wait); err != nil {
				return nil, fmt.Errorf("%s: %w", c.cfg.Name, err)
			}
			if req, err = rewind(req); err != nil {
				return nil, fmt.Errorf("%s: %w", c.cfg.Name, err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.cfg.Name, err)
		}
		return resp, nil
	}
}

// attempt sends req once, with its own timeout that ends when the body is closed.
func (c *Client) attempt(req *http.Request, retry bool) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), c.cfg.AttemptTimeout)
	start := time.Now()
	resp, err := c.http.Do(req.WithContext(ctx))
	outcome := "error"
	if err != nil {
		cancel()
	} else {
		outcome = strconv.Itoa(resp.StatusCode)
		resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	}
	if c.cfg.Observer != nil {
		c.cfg.Observer.Attempt(c.cfg.Name, req.Method, outcome, retry, time.Since(start))
	}
	return resp, err
}

// idempotent reports whether sending req twice does no more than sending it once: the
// methods RFC 9110 calls idempotent, and any request with an Idempotency-Key header.
func idempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return req.Header.Get("Idempotency-Key") != ""
}

// retryReason says why the attempt failed in a way another attempt may fix, or "".
func retryReason(ctx context.Context, resp *http.Response, err error) string {
	if ctx.Err() != nil {
		return "" // the caller gave up: no retry helps
	}
	if err != nil {
		var netErr net.Error
		if errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return "error" // refused, reset, or the attempt's timeout
		}
		return ""
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return strconv.Itoa(resp.StatusCode)
	}
	return ""
}

// retryAfter reads a Retry-After header given in seconds.
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	s, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || s < 0 {
		return 0
	}
	return time.Duration(s) * time.Second
}

// fitsDeadline reports whether waiting leaves the next attempt some time before ctx's deadline.
func fitsDeadline(ctx context.Context, wait time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) > wait
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// rewind returns req ready to be sent again, with a fresh body.
func rewind(req *http.Request) (*http.Request, error) {
	if req.GetBody == nil {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	again := req.Clone(req.Context())
	again.Body = body
	return again, nil
}

// drain reads a little of a response that will not be used, so its connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	_ = resp.Body.Close()
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// Budget is gRPC's retry throttling: tokens start at max; each failed attempt takes one,
// each success gives back ratio; retries are allowed only while more than half the tokens
// are left. A dependency that keeps failing thus gets about one retry per 1/ratio requests
// instead of MaxAttempts times its traffic.
type Budget struct {
	mu     sync.Mutex
	tokens float64
	max    float64
	ratio  float64
}

// NewBudget returns a budget of tokens that refills ratio per success.
func NewBudget(tokens, ratio float64) *Budget {
	return &Budget{tokens: tokens, max: tokens, ratio: ratio}
}

func (b *Budget) failed() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = max(0, b.tokens-1)
}

func (b *Budget) succeeded() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(b.max, b.tokens+b.ratio)
}

func (b *Budget) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens > b.max/2
}
