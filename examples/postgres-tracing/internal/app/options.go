package app

import (
	"context"

	"github.com/example/postgres-tracing/internal/buildinfo"
	"github.com/example/postgres-tracing/internal/config"
	"github.com/example/postgres-tracing/internal/database"
	"github.com/example/postgres-tracing/internal/metrics"
)

// The options this service was generated with. Each is wired in by a file of its own in
// this package (metrics.go, database.go, tracing.go); to drop one, delete its file and its
// lines here and in routes.go.

// options holds what the options add to the service.
type options struct {
	// metrics.go
	metrics *metrics.Registry
	// database.go
	dbConfig config.Database
	db       *database.DB
}

// newOptions makes what needs neither settings nor start-up, so that a service built
// without Serve (in tests) has it too: the metrics registry.
func newOptions() options {
	return options{metrics: metrics.New()}
}

// loadOptions reads the options' settings, before anything starts, and adds them to
// settings for the "starting" log line.
func (s *service) loadOptions(getenv func(string) string, settings map[string]string) error {
	return s.loadDatabase(getenv, settings)
}

// useOptions wires the options in, after the core and before the routes (run).
func (s *service) useOptions(ctx context.Context, getenv func(string) string, build buildinfo.Build) error {
	s.useMetrics(build)
	if err := s.useDatabase(); err != nil {
		return err
	}
	if err := s.useTracing(ctx, getenv, build); err != nil {
		return err
	}
	return nil
}
