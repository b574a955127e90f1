package app

import (
	"context"

	"github.com/example/scratch-no-metrics/internal/buildinfo"
)

// The options this service was generated with. Each is wired in by a file of its own in
// this package (metrics.go, database.go, tracing.go); to drop one, delete its file and its
// lines here and in routes.go.

// options holds what the options add to the service.
type options struct {
}

// newOptions makes what needs neither settings nor start-up, so that a service built
// without Serve (in tests) has it too.
func newOptions() options {
	return options{}
}

// loadOptions reads the options' settings, before anything starts, and adds them to
// settings for the "starting" log line.
func (s *service) loadOptions(getenv func(string) string, settings map[string]string) error {
	return nil
}

// useOptions wires the options in, after the core and before the routes (run).
func (s *service) useOptions(ctx context.Context, getenv func(string) string, build buildinfo.Build) error {
	return nil
}
