package database

import (
	"context"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// querySpans makes every query a client span when the caller's context carries a trace.
// The watcher's pings go over a connection of its own, without it: they are not the
// service's work.
type querySpans struct {
	database string
	tracer   trace.Tracer
}

func newQuerySpans(database string) *querySpans {
	// The global provider delegates to the one tracing.Setup installs later.
	return &querySpans{database: database, tracer: otel.Tracer("github.com/example/postgres-tracing/internal/database")}
}

type querySpanKey struct{}

// TraceQueryStart implements pgx.QueryTracer.
func (t *querySpans) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	// Only inside a trace: a query outside any request would start a trace of its own.
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return ctx
	}
	ctx, span := t.tracer.Start(ctx, "postgresql query",
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			attribute.String("db.system.name", "postgresql"),
			attribute.String("db.namespace", t.database),
			// The text has placeholders, never the arguments' values.
			attribute.String("db.query.text", data.SQL),
		))
	return context.WithValue(ctx, querySpanKey{}, span)
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *querySpans) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	span, ok := ctx.Value(querySpanKey{}).(trace.Span)
	if !ok {
		return
	}
	if data.Err != nil {
		span.RecordError(data.Err)
		span.SetStatus(codes.Error, "query failed")
	}
	span.End()
}
