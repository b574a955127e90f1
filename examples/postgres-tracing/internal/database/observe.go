package database

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// queryTracer times every query into database_query_duration_seconds and makes
// it a client span when the caller's context carries a trace. The watcher's pings go
// over a connection of its own, without this tracer: they are not the service's work.
type queryTracer struct {
	database string
	duration *prometheus.HistogramVec

	tracer trace.Tracer
}

func newQueryTracer(database string) *queryTracer {
	// The global provider delegates to the one tracing.Setup installs later.
	return &queryTracer{database: database, tracer: otel.Tracer("github.com/example/postgres-tracing/internal/database")}
}

type queryStartKey struct{}

type queryStart struct {
	at   time.Time
	span trace.Span
}

// TraceQueryStart implements pgx.QueryTracer.
func (t *queryTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	q := queryStart{at: time.Now()}
	// Only inside a trace: a query outside any request would start a trace of its own.
	if trace.SpanContextFromContext(ctx).IsValid() {
		ctx, q.span = t.tracer.Start(ctx, "postgresql query",
			trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(
				attribute.String("db.system.name", "postgresql"),
				attribute.String("db.namespace", t.database),
				// The text has placeholders, never the arguments' values.
				attribute.String("db.query.text", data.SQL),
			))
	}
	return context.WithValue(ctx, queryStartKey{}, q)
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *queryTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	q, ok := ctx.Value(queryStartKey{}).(queryStart)
	if !ok {
		return
	}
	outcome := "ok"
	if data.Err != nil {
		outcome = "error"
	}
	t.duration.WithLabelValues(outcome).Observe(time.Since(q.at).Seconds())
	if q.span != nil {
		if data.Err != nil {
			q.span.RecordError(data.Err)
			q.span.SetStatus(codes.Error, "query failed")
		}
		q.span.End()
	}
}
