package database

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
)

// registerMetrics adds the database's series to reg: database_up (the watcher's last
// result), database_query_duration_seconds (by outcome, timed by the tracer it returns)
// and the pool's statistics.
func (db *DB) registerMetrics(reg prometheus.Registerer) (*queryTimer, error) {
	db.up = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "database_up",
		Help: "1 if the last ping of the database succeeded, else 0.",
	})
	t := &queryTimer{duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "database_query_duration_seconds",
		Help:    "Time from sending a query to its result, by outcome (ok or error).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"outcome"})}
	return t, errors.Join(reg.Register(db.up), reg.Register(t.duration), reg.Register(poolCollector{db}))
}

// queryTimer times every query into database_query_duration_seconds. The watcher's pings
// go over a connection of its own, without it: they are not the service's work.
type queryTimer struct {
	duration *prometheus.HistogramVec
}

type queryStartKey struct{}

// TraceQueryStart implements pgx.QueryTracer.
func (t *queryTimer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return context.WithValue(ctx, queryStartKey{}, time.Now())
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *queryTimer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	start, ok := ctx.Value(queryStartKey{}).(time.Time)
	if !ok {
		return
	}
	outcome := "ok"
	if data.Err != nil {
		outcome = "error"
	}
	t.duration.WithLabelValues(outcome).Observe(time.Since(start).Seconds())
}

var (
	poolConns = prometheus.NewDesc("database_pool_connections",
		"Connections in the pool, by state (idle, acquired, constructing).", []string{"state"}, nil)
	poolMaxConns = prometheus.NewDesc("database_pool_max_connections",
		"The pool's size limit (DATABASE_MAX_CONNS).", nil, nil)
	poolAcquires = prometheus.NewDesc("database_pool_acquires_total",
		"Connections taken from the pool.", nil, nil)
	poolEmptyAcquires = prometheus.NewDesc("database_pool_empty_acquires_total",
		"Acquires that had to wait for a connection: the pool was too small at that moment.", nil, nil)
	poolAcquireWait = prometheus.NewDesc("database_pool_acquire_wait_seconds_total",
		"Time spent waiting for connections from the pool.", nil, nil)
	poolCanceledAcquires = prometheus.NewDesc("database_pool_canceled_acquires_total",
		"Acquires given up because the caller's context ended.", nil, nil)
)

// poolCollector reads pgxpool's statistics at scrape time.
type poolCollector struct{ db *DB }

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolConns, poolMaxConns, poolAcquires, poolEmptyAcquires, poolAcquireWait, poolCanceledAcquires} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	if c.db.Pool == nil {
		return
	}
	s := c.db.Pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.IdleConns()), "idle")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.AcquiredConns()), "acquired")
	ch <- prometheus.MustNewConstMetric(poolConns, prometheus.GaugeValue, float64(s.ConstructingConns()), "constructing")
	ch <- prometheus.MustNewConstMetric(poolMaxConns, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolEmptyAcquires, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolAcquireWait, prometheus.CounterValue, s.AcquireDuration().Seconds())
	ch <- prometheus.MustNewConstMetric(poolCanceledAcquires, prometheus.CounterValue, float64(s.CanceledAcquireCount()))
}
