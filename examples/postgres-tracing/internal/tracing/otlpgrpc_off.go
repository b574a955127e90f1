//go:build !otlpgrpc

package tracing

import (
	"context"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/example/postgres-tracing/internal/config"
)

// newGRPCExporter refuses OTLP/gRPC: the exporter and gRPC's HTTP/2 client weigh about
// 1 MB, and OTLP's default protocol, http/protobuf, needs neither. Builds with
// -tags otlpgrpc have it (otlpgrpc.go).
func newGRPCExporter(_ context.Context, protocolVar string) (sdktrace.SpanExporter, error) {
	return nil, &config.Error{
		Var:   protocolVar,
		Value: "grpc",
		Want:  "http/protobuf (this build has no gRPC exporter: build with -tags otlpgrpc; images: --build-arg GO_BUILD_TAGS=grpcnotrace,otlpgrpc)",
	}
}
