//go:build otlpgrpc

package tracing

import (
	"context"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// newGRPCExporter exports spans over OTLP/gRPC; this build has it (-tags otlpgrpc).
func newGRPCExporter(ctx context.Context, _ string) (sdktrace.SpanExporter, error) {
	return otlptracegrpc.New(ctx)
}
