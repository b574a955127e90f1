// Command handwritten is the reference a team writing the service by hand would compare
// against: plain net/http with the same JSON routes, and one zerolog access line per
// request with the fields the generated service logs (request id, method, route, path,
// client, user agent, status, bytes, duration). No metrics, no panic recovery, no drain.
package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

type hello struct {
	Message string `json:"message"`
}

// recorder remembers the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *recorder) WriteHeader(s int) { r.status = s; r.ResponseWriter.WriteHeader(s) }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	zerolog.TimeFieldFormat = time.RFC3339Nano
	logger := zerolog.New(os.Stdout).With().Timestamp().Str("service", "handwritten").Logger()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /api/v1/hello", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		if name == "" {
			name = "world"
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(hello{Message: "Hello, " + name + "!"})
	})
	var ids atomic.Uint64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" {
			id = "hw-" + strconv.FormatUint(ids.Add(1), 10)
		}
		w.Header().Set("X-Request-Id", id)
		h, pattern := mux.Handler(r)
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if r.URL.Path == "/healthz" {
			return
		}
		client, _, _ := net.SplitHostPort(r.RemoteAddr)
		logger.Info().
			Str("request_id", id).
			Str("method", r.Method).
			Str("route", pattern).
			Str("path", r.URL.Path).
			Str("client", client).
			Str("user_agent", r.UserAgent()).
			Int("status", rec.status).
			Int("bytes", rec.bytes).
			Dur("duration_ms", time.Since(start)).
			Msg("request")
	})
	srv := &http.Server{
		Addr:              net.JoinHostPort(os.Getenv("HOST"), port),
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
	}
	if err := srv.ListenAndServe(); err != nil {
		logger.Fatal().Err(err).Msg("serve")
	}
}
