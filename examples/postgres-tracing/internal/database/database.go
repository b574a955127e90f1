// Package database owns the PostgreSQL connection pool: it opens the pool without waiting
// for the server, watches whether the server answers (for the readiness probe, the log and
// the metrics), runs the embedded migrations, and closes the pool last.
package database

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/example/postgres-tracing/internal/config"
)

// DB is the pool plus what the watcher last saw of the server.
type DB struct {
	Pool *pgxpool.Pool

	cfg    config.Database
	logger zerolog.Logger
	// state is the last ping's result: nil once the server answered, else why not.
	state atomic.Pointer[error]

	// up is state as the database_up metric.
	up prometheus.Gauge
}

// errNotChecked is the state until the first ping has returned.
var errNotChecked = errors.New("not checked yet")

// Open creates the pool. It does not connect: a server that is down at start-up leaves the
// service alive and not ready, and the watcher notices when the server comes up.
// The pool's and the queries' metrics go to reg.
func Open(cfg config.Database, logger zerolog.Logger, reg prometheus.Registerer) (*DB, error) {
	pc, err := cfg.PoolConfig()
	if err != nil {
		return nil, err
	}
	db := &DB{cfg: cfg, logger: logger.With().Str("component", "database").Logger()}
	db.state.Store(&errNotChecked)
	tracer := newQueryTracer(pc.ConnConfig.Database)
	if err := db.registerMetrics(reg, tracer); err != nil {
		return nil, err
	}
	pc.ConnConfig.Tracer = tracer
	db.Pool, err = pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		return nil, fmt.Errorf("database pool: %w", err)
	}
	// Where, not how: the password stays out of the log.
	db.logger.Info().
		Str("host", pc.ConnConfig.Host).
		Uint16("port", pc.ConnConfig.Port).
		Str("database", pc.ConnConfig.Database).
		Str("user", pc.ConnConfig.User).
		Int32("max_conns", pc.MaxConns).
		Msg("database pool opened")
	return db, nil
}

// Check is the readiness check: it reports the watcher's last result and never queries,
// so that however often the probe comes, the server sees one ping per interval.
func (db *DB) Check(context.Context) error {
	return *db.state.Load()
}

// Watch pings the server every DATABASE_CHECK_INTERVAL until ctx is done, logging each
// change between up and down. It is a worker: it stops after the HTTP server has drained.
func (db *DB) Watch(ctx context.Context) error {
	ticker := time.NewTicker(db.cfg.CheckInterval)
	defer ticker.Stop()
	for {
		db.ping(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

func (db *DB) ping(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, db.cfg.CheckTimeout)
	defer cancel()
	err := db.Pool.Ping(unobserved(ctx))
	if err != nil && ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return // shutting down: not the server's fault
	}
	previous := db.state.Swap(&err)
	wasUp := *previous == nil
	switch {
	case err == nil && !wasUp:
		db.logger.Info().Msg("database is answering")
	case err != nil && (wasUp || errors.Is(*previous, errNotChecked)):
		db.logger.Warn().Err(err).Msg("database is not answering")
	}
	if err == nil {
		db.up.Set(1)
	} else {
		db.up.Set(0)
	}
}

type unobservedKey struct{}

// unobserved marks ctx's queries as the watcher's own, left out of metrics and traces.
func unobserved(ctx context.Context) context.Context {
	return context.WithValue(ctx, unobservedKey{}, true)
}

// Close waits for the connections in use to be released, then closes them all. Call it
// after the HTTP server has drained.
func (db *DB) Close() {
	db.Pool.Close()
	db.logger.Info().Msg("database pool closed")
}
