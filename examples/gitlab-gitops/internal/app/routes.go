package app

import (
	"gitlab.com/example/gitlab-gitops/internal/api"
	"gitlab.com/example/gitlab-gitops/internal/health"
	"gitlab.com/example/gitlab-gitops/internal/profiling"
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
	s.handleAdmin("GET /metrics", s.metrics.Handler())
	if s.cfg.Pprof {
		// /debug/pprof/ and its profiles; config refuses PPROF=true in a binary built
		// without -tags pprof, which has none (package profiling).
		profiling.Register(s.handleAdmin)
	}
}
