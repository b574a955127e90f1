package app

import (
	"context"

	"github.com/example/postgres-tracing/internal/buildinfo"
	"github.com/example/postgres-tracing/internal/tracing"
)

// useTracing wires OpenTelemetry tracing in: the exporter and sampler from the OTEL_*
// variables, a span for every request but the probes, and the buffered spans exported
// last of all at shutdown (see telemetryBudget).
func (s *service) useTracing(ctx context.Context, getenv func(string) string, build buildinfo.Build) error {
	stop, err := tracing.Setup(ctx, getenv, buildinfo.Service, build.Version, s.logger)
	if err != nil {
		return err
	}
	s.middleware = append(s.middleware, tracing.Middleware)
	s.flushTelemetry = stop
	return nil
}
