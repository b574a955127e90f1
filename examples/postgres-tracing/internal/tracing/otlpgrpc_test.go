//go:build otlpgrpc

package tracing

import (
	"context"
	"testing"

	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func TestSetupExportsOverGRPCWithTheBuildTag(t *testing.T) {
	keepGlobals(t)
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
	shutdown, err := Setup(context.Background(), func(k string) string { return env[k] }, "svc", "dev", zerolog.Nop())
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	if _, on := otel.GetTracerProvider().(*sdktrace.TracerProvider); !on {
		t.Error("no tracer provider installed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // nothing to flush; do not wait for the collector
	_ = shutdown(ctx)
}
