// Package database owns the PostgreSQL connection pool: it opens the pool without waiting
// for the server, watches whether the server answers (for the readiness probe, the log, the
// metrics and handlers that fail fast), runs the embedded migrations, and closes the pool
// last.
package database

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/multitracer"
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
	// watchConfig is for the watcher's own connection, outside the pool: a ping that
	// queued behind requests for a pool connection would measure the queue, and report a
	// slow query elsewhere as the server being down.
	watchConfig *pgx.ConnConfig
	// state is the last ping's result: nil once the server answered, else why not.
	state atomic.Pointer[error]
	// answered is set once the server has answered a ping.
	answered atomic.Bool

	// up is state as the database_up metric.
	up prometheus.Gauge
}

// errNotChecked is the state until the first ping has returned.
var errNotChecked = errors.New("not checked yet")

// ErrUnavailable is returned without a query when the watcher's last ping failed: during
// an outage requests fail at once instead of each waiting to dial the server.
var ErrUnavailable = errors.New("database unavailable")

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
	// Copied before the query tracer is set: the watcher's pings are not the service's
	// work, and stay out of its metrics and traces.
	db.watchConfig = pc.ConnConfig.Copy()
	db.watchConfig.RuntimeParams["application_name"] = "database-watch"
	// Each option observes the queries with a tracer of its own (metrics.go, tracing.go).
	var tracers []pgx.QueryTracer
	timer, err := db.registerMetrics(reg)
	if err != nil {
		return nil, err
	}
	tracers = append(tracers, timer)
	tracers = append(tracers, newQuerySpans(pc.ConnConfig.Database))
	pc.ConnConfig.Tracer = multitracer.New(tracers...)
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
// so that however often the probe comes, the server sees one ping per interval. With
// DATABASE_READINESS=startup (the default) it passes for good once the server has
// answered: a later outage keeps the pod in the Service, serving the routes that do not
// need the database, while those that do fail fast (Available).
func (db *DB) Check(context.Context) error {
	if db.cfg.Readiness == config.ReadinessStartup && db.answered.Load() {
		return nil
	}
	return *db.state.Load()
}

// Available returns nil if the watcher's last ping was answered, else an error wrapping
// ErrUnavailable. It costs an atomic load: call it before a query.
func (db *DB) Available() error {
	if err := *db.state.Load(); err != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return nil
}

// RetryAfter is how long a client should wait before trying again while the database is
// unavailable: the watcher's interval, after which it knows more.
func (db *DB) RetryAfter() time.Duration { return db.cfg.CheckInterval }

// Watch pings the server every DATABASE_CHECK_INTERVAL over a connection of its own until
// ctx is done, logging each change between up and down. It is a worker: it stops after the
// HTTP server has drained.
func (db *DB) Watch(ctx context.Context) error {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), db.cfg.CheckTimeout)
			defer cancel()
			_ = conn.Close(closeCtx)
		}
	}()
	ticker := time.NewTicker(db.cfg.CheckInterval)
	defer ticker.Stop()
	for {
		conn = db.ping(ctx, conn)
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// ping asks the server over conn, connecting first if conn is nil, and returns the
// connection for the next ping (nil after a failure: a failed ping leaves it in doubt).
func (db *DB) ping(ctx context.Context, conn *pgx.Conn) *pgx.Conn {
	ctx, cancel := context.WithTimeout(ctx, db.cfg.CheckTimeout)
	defer cancel()
	var err error
	if conn == nil {
		conn, err = pgx.ConnectConfig(ctx, db.watchConfig)
	}
	if err == nil {
		err = conn.Ping(ctx)
		if err != nil {
			_ = conn.Close(ctx)
		}
	}
	if err != nil {
		conn = nil
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil // shutting down: not the server's fault
		}
	} else {
		db.answered.Store(true)
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
	return conn
}

// Close waits for the connections in use to be released, then closes them all, or gives
// up when ctx is done (the pool goes on closing in the background). Call it after the
// HTTP server has drained.
func (db *DB) Close(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.Pool.Close()
	}()
	select {
	case <-done:
		db.logger.Info().Msg("database pool closed")
		return nil
	case <-ctx.Done():
		return fmt.Errorf("database pool: connections still in use: %w", ctx.Err())
	}
}
