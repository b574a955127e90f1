//go:build !otlpgrpc

package tracing

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/example/postgres-tracing/internal/config"
)

func TestSetupNamesTheBuildTagWhenGRPCIsAsked(t *testing.T) {
	keepGlobals(t)
	for _, v := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
		env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", v: "grpc"}
		_, err := Setup(context.Background(), func(k string) string { return env[k] }, "svc", "dev", zerolog.Nop())
		var cfgErr *config.Error
		if !errors.As(err, &cfgErr) || cfgErr.Var != v || !strings.Contains(cfgErr.Want, "-tags otlpgrpc") {
			t.Errorf("%s=grpc: Setup error = %v, want a *config.Error naming %s and -tags otlpgrpc", v, err, v)
		}
	}
}
