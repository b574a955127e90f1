package app

import (
	"net/http"
	"net/http/pprof"

	"github.com/example/scratch-no-metrics/internal/api"
	"github.com/example/scratch-no-metrics/internal/health"
)

// routes lists every route of the service. Routes are ServeMux patterns; their path part
// ("/api/v1/hello") is the route name in logs, metrics and traces.
func (s *service) routes() {
	// The public port. The probes stay out of the access log, metrics and traces (quiet).
	s.mux.HandleFunc("GET /healthz", health.Live)
	s.mux.Handle("GET /ready", s.readiness)
	// GET /api/v1/hello, then the team's own routes: internal/api/routes.go, which is the
	// team's file and never regenerated.
	api.Register(s.mux)

	// The admin port: a scrape costs far more than an API call, and profiles show the
	// code's insides, so neither is served where the Ingress sends the public.
	if s.cfg.Pprof {
		s.handleAdmin("/debug/pprof/", http.HandlerFunc(pprof.Index))
		s.handleAdmin("/debug/pprof/cmdline", http.HandlerFunc(pprof.Cmdline))
		s.handleAdmin("/debug/pprof/profile", http.HandlerFunc(pprof.Profile))
		s.handleAdmin("/debug/pprof/symbol", http.HandlerFunc(pprof.Symbol))
		s.handleAdmin("/debug/pprof/trace", http.HandlerFunc(pprof.Trace))
	}
}
