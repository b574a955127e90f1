// Command fixedrate sends GET requests at a fixed rate (open loop: each request is due at
// start + i/rate whether or not earlier ones have answered), bounded by a count and a time
// limit, and prints what happened as one JSON object. wrk and hey measure a server at full
// load; CPU per request at a moderate, fixed rate needs the rate held by the sender.
//
//	fixedrate -url http://127.0.0.1:8080/api/v1/hello -rate 3000 -n 15000 -max 10s
//
// Latency is measured from when a request was due, not from when it went out, so a sender
// that falls behind shows up in the figures (no coordinated omission). When more than
// -inflight requests are outstanding, a due request is skipped and counted instead of queued.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	Rate      float64 `json:"rate"`
	Due       int     `json:"due"`
	Sent      int     `json:"sent"`
	OK        int     `json:"ok"`
	Errors    int     `json:"errors"`
	Skipped   int     `json:"skipped"`
	ElapsedMs float64 `json:"elapsedMs"`
	// AchievedRate is requests answered per second of the window.
	AchievedRate float64 `json:"achievedRate"`
	P50Ms        float64 `json:"p50Ms"`
	P99Ms        float64 `json:"p99Ms"`
	// MaxLagMs is how late the sender itself was, at worst, sending a due request.
	MaxLagMs float64 `json:"maxLagMs"`
}

func main() {
	url := flag.String("url", "", "URL to GET")
	rate := flag.Float64("rate", 1000, "requests per second")
	n := flag.Int("n", 10000, "requests to send")
	limit := flag.Duration("max", 30*time.Second, "stop sending after this long")
	inflight := flag.Int("inflight", 256, "most requests outstanding at once; more are skipped")
	flag.Parse()
	if *url == "" || *rate <= 0 || *n <= 0 || *inflight <= 0 {
		fmt.Fprintln(os.Stderr, "usage: fixedrate -url URL [-rate R>0] [-n N>0] [-max D] [-inflight K>0]")
		os.Exit(2)
	}

	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        *inflight,
			MaxIdleConnsPerHost: *inflight,
			DisableCompression:  true,
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), *limit)
	defer cancel()

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, *n)
		ok, errs atomic.Int64
		slots    = make(chan struct{}, *inflight)
		r        result
		maxLag   time.Duration
	)
	interval := time.Duration(float64(time.Second) / *rate)
	start := time.Now()
	for i := range *n {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		if ctx.Err() != nil {
			break
		}
		r.Due++
		maxLag = max(maxLag, time.Since(due))
		select {
		case slots <- struct{}{}:
		default:
			r.Skipped++
			continue
		}
		r.Sent++
		wg.Go(func() {
			defer func() { <-slots }()
			resp, err := client.Get(*url)
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			if err != nil {
				errs.Add(1)
				return
			}
			ok.Add(1)
			d := time.Since(due)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	slices.Sort(lat)
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[int(p*float64(len(lat)-1))]) / 1e6
	}
	r.Rate = *rate
	r.OK, r.Errors = int(ok.Load()), int(errs.Load())
	r.ElapsedMs = float64(elapsed) / 1e6
	r.AchievedRate = float64(r.OK) / elapsed.Seconds()
	r.P50Ms, r.P99Ms = q(0.5), q(0.99)
	r.MaxLagMs = float64(maxLag) / 1e6
	_ = json.NewEncoder(os.Stdout).Encode(r)
}
