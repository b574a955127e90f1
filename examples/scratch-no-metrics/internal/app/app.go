// Package app runs the service: it wires configuration, logging, routes, readiness checks
// and workers together, and owns start-up and graceful shutdown.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/example/scratch-no-metrics/internal/buildinfo"
	"github.com/example/scratch-no-metrics/internal/config"
	"github.com/example/scratch-no-metrics/internal/health"
	"github.com/example/scratch-no-metrics/internal/httpserver"
	"github.com/example/scratch-no-metrics/internal/logging"
)

// healthcheckTimeout stays below Docker's default HEALTHCHECK --timeout of 30s and
// far above what a local /healthz needs.
const healthcheckTimeout = 3 * time.Second

// Serve runs the HTTP service until ctx is cancelled or the process gets SIGTERM or
// SIGINT, then shuts down gracefully:
//
//  1. /ready answers 503 at once.
//  2. the server keeps serving for SHUTDOWN_DELAY, while endpoints and load balancers
//     stop sending traffic here.
//  3. the listener closes, keep-alive clients are asked to reconnect (elsewhere) and
//     in-flight requests finish, within SHUTDOWN_TIMEOUT less the shares below.
//  4. workers are stopped, last started first, then the closers run (connection pools),
//     within what is left of SHUTDOWN_TIMEOUT but at least its cleanup share (see
//     cleanupBudget).
//
// A SIGINT during shutdown, or a SIGTERM more than a second after the first, ends it at
// once, with an error. Serve returns nil after a clean stop and a *config.Error for bad
// settings.
func Serve(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	build := buildinfo.Current()
	logger, err := logging.New(stdout, cfg.LogLevel, cfg.LogFormat, buildinfo.Service, build.Version)
	if err != nil {
		return err
	}
	defer logging.RouteStandardLibrary(logger)()
	s := newService(cfg, logger)
	settings := cfg.Effective()
	if err := s.loadOptions(getenv, settings); err != nil {
		return err
	}
	logger.Info().
		Str("commit", build.Commit).
		Str("build_date", build.Date).
		Str("go", runtime.Version()).
		Interface("config", settings).
		Msg("starting")
	if err := setMaxProcs(cfg.AutoMaxProcs, logger); err != nil {
		return err
	}
	setMemLimit(getenv, logger)

	if err := s.useOptions(ctx, getenv, build); err != nil {
		return err
	}
	return s.run(ctx)
}

// Healthcheck asks the server on this machine whether it is alive: the healthcheck
// command, for Docker's HEALTHCHECK in images without a shell or curl.
func Healthcheck(ctx context.Context, getenv func(string) string) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	host := cfg.Host
	if host == "" || net.ParseIP(host).IsUnspecified() {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	return health.Probe(ctx, "http://"+net.JoinHostPort(host, strconv.Itoa(cfg.Port))+"/healthz")
}

type service struct {
	cfg    config.Config
	logger zerolog.Logger
	mux    *http.ServeMux
	// admin has ADMIN_PORT's routes, kept off the public port; nil until the first one
	// (handleAdmin), and without routes there is no admin server.
	admin     *http.ServeMux
	readiness *health.Readiness
	workers   []worker
	// middleware wraps every route but the probes, outside the access log.
	middleware []func(http.Handler) http.Handler
	// observer, if set, hears about every request but the probes (the metrics).
	observer httpserver.Observer
	// closers run in order at the end of shutdown, e.g. to close connection pools.
	closers []func(context.Context) error
	// flushTelemetry, if set, exports buffered telemetry last of all, within its own
	// share of SHUTDOWN_TIMEOUT (see telemetryBudget); failing is only a warning.
	flushTelemetry func(context.Context) error

	// What the options this service was generated with add (options.go).
	options
}

// newService wires the service together: add readiness checks and workers here, routes
// in routes.go.
func newService(cfg config.Config, logger zerolog.Logger) *service {
	s := &service{
		cfg:       cfg,
		logger:    logger,
		mux:       http.NewServeMux(),
		readiness: &health.Readiness{},
		options:   newOptions(),
	}

	// Readiness checks: one line per dependency the service cannot work without, e.g.
	//
	//	s.readiness.Add("postgres", 2*time.Second, db.PingContext)

	// Workers: background jobs that start once the listener is open and stop after the
	// HTTP server has drained, last started first, e.g.
	//
	//	s.workers = append(s.workers, worker{name: "outbox", run: relay.Run})

	return s
}

// handleAdmin adds a route to the admin port, which listens only once it has one.
func (s *service) handleAdmin(pattern string, handler http.Handler) {
	if s.admin == nil {
		s.admin = http.NewServeMux()
	}
	s.admin.Handle(pattern, handler)
}

// quiet routes are kept out of the access log, metrics and traces.
var quiet = []string{"/healthz", "/ready"}

// adminWriteTimeout leaves room for pprof's CPU profile, 30s by default, which refuses
// to run when it would outlast the server's WriteTimeout.
const adminWriteTimeout = 2 * time.Minute

// run adds the routes (routes.go), serves until ctx is done, a signal arrives or something
// fails, then shuts down.
func (s *service) run(ctx context.Context) error {
	s.routes()

	// One channel, registered before anything else, receives both the signal that starts
	// the shutdown and the one that cuts it short: a second channel registered later
	// would lose a second signal that arrives in between. Room for two, since the
	// runtime drops signals a full channel cannot take.
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(signals)

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr())
	if err != nil {
		return err
	}
	if s.admin != nil {
		adminLn, err := lc.Listen(ctx, "tcp", s.cfg.AdminAddr())
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("admin port: %w", err)
		}
		// A plain http.Server: scrapers retry, so its shutdown need not spare keep-alive
		// requests the way the public server's does.
		admin := &http.Server{
			Handler:           s.admin,
			ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
			ReadTimeout:       s.cfg.ReadTimeout,
			WriteTimeout:      adminWriteTimeout,
			IdleTimeout:       s.cfg.IdleTimeout,
			ErrorLog:          logging.ServerErrorLog(s.logger),
		}
		go func() {
			if err := admin.Serve(adminLn); !errors.Is(err, http.ErrServerClosed) {
				s.logger.Error().Err(err).Msg("admin server stopped")
			}
		}()
		s.logger.Info().Str("addr", adminLn.Addr().String()).Bool("pprof", s.cfg.Pprof).Msg("admin port listening")
		// Last of all, so that metrics can be scraped during the drain.
		s.closers = append(s.closers, admin.Shutdown)
	}
	opts := httpserver.Options{
		Quiet:          quiet,
		Middleware:     s.middleware,
		MaxBodyBytes:   s.cfg.MaxBodyBytes,
		RequestTimeout: s.cfg.RequestTimeout,
		WriteTimeout:   s.cfg.WriteTimeout,
		Observer:       s.observer,
	}
	srv := httpserver.New(httpserver.Handler(s.mux, s.logger, opts), httpserver.Timeouts{
		ReadHeader: s.cfg.ReadHeaderTimeout,
		Read:       s.cfg.ReadTimeout,
		Write:      s.cfg.WriteTimeout,
		Idle:       s.cfg.IdleTimeout,
	}, logging.ServerErrorLog(s.logger))
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	s.logger.Info().Str("addr", ln.Addr().String()).Msg("listening")

	workers := newSupervisor(s.logger)
	for _, w := range s.workers {
		// Not cancelled by the signal: in-flight requests may still need the workers.
		workers.start(context.WithoutCancel(ctx), w)
	}
	s.readiness.Ready()
	s.logger.Info().Msg("ready")

	var failure, cause error // failure is returned, cause logged
	var first received
	select {
	case <-ctx.Done():
	case sig := <-signals:
		first = received{sig, time.Now()}
	case err := <-serveErr:
		failure = fmt.Errorf("http server: %w", err)
		cause = failure
	case cause = <-workers.failed: // workers.stop returns it again
	}
	s.readiness.Stopping() // first of all
	if cause != nil {
		s.logger.Error().Err(cause).Msg("shutting down after a failure")
	} else {
		s.logger.Info().Msg("shutdown requested")
	}
	return errors.Join(failure, s.shutdown(srv, workers, first, signals))
}

// received is a signal and when it came.
type received struct {
	sig os.Signal
	at  time.Time
}

// duplicateWindow is how soon after a SIGTERM another SIGTERM counts as the same one:
// process-group delivery (tini -g, timeout, kill -- -PGID) sends it twice back to back.
const duplicateWindow = time.Second

// shutdown runs the shutdown sequence described at Serve. Another SIGINT, or a SIGTERM
// more than duplicateWindow after the first, cuts it short: someone wants the process
// gone now.
func (s *service) shutdown(srv *httpserver.Server, workers *supervisor, first received, again <-chan os.Signal) error {
	start := time.Now()

	s.logger.Info().
		Stringer("delay", s.cfg.ShutdownDelay).
		Stringer("timeout", s.cfg.ShutdownTimeout).
		Msg("shutting down: readiness now fails, serving on until the delay is over")

	done := make(chan stages, 1)
	go func() { done <- s.drain(srv, workers) }()
	for {
		select {
		case st := <-done:
			if err := st.err(); err != nil {
				// One field per stage: which one failed is the first question.
				s.logger.Error().AnErr("http", st.http).AnErr("workers", st.workers).AnErr("closers", st.closers).
					Stringer("took", time.Since(start).Round(time.Millisecond)).Msg("shutdown incomplete")
				return err
			}
			s.logger.Info().Stringer("took", time.Since(start).Round(time.Millisecond)).Msg("stopped")
			return nil
		case sig := <-again:
			if sig == syscall.SIGTERM && first.sig == syscall.SIGTERM && time.Since(first.at) < duplicateWindow {
				s.logger.Info().Str("signal", sig.String()).Msg("duplicate signal ignored: still draining")
				continue
			}
			s.logger.Warn().Str("signal", sig.String()).Msg("second signal: exiting without draining")
			return fmt.Errorf("second signal (%s): exited without draining", sig)
		}
	}
}

// stages are the errors of the shutdown's stages, each nil if it went well.
type stages struct {
	http, workers, closers error
}

func (st stages) err() error { return errors.Join(st.http, st.workers, st.closers) }

// telemetryBudget is the share of SHUTDOWN_TIMEOUT kept for flushing telemetry: a quarter,
// at most 5s. An unreachable collector then delays a pod stop by that much, not by the
// whole timeout, and in-flight requests keep the rest.
func telemetryBudget(timeout time.Duration) time.Duration {
	return min(timeout/4, 5*time.Second)
}

// cleanupBudget is the share of the shutdown budget kept for workers and closers after
// the HTTP drain, however long the drain takes: a quarter, at most 5s. Without it a drain
// that used the whole budget would leave them none, and a worker that stops in a
// millisecond would be reported as not stopping in time.
func cleanupBudget(budget time.Duration) time.Duration {
	return min(budget/4, 5*time.Second)
}

// drain is the shutdown sequence from step 2 on, each stage within its own budget:
// the HTTP drain gets SHUTDOWN_TIMEOUT less the cleanup and telemetry shares, the workers
// and closers whatever is left, at least the cleanup share.
func (s *service) drain(srv *httpserver.Server, workers *supervisor) stages {
	time.Sleep(s.cfg.ShutdownDelay)

	budget := s.cfg.ShutdownTimeout
	if s.flushTelemetry != nil {
		budget -= telemetryBudget(s.cfg.ShutdownTimeout)
		defer s.flush()
	}
	end := time.Now().Add(budget)
	httpBudget := budget - cleanupBudget(budget)
	var st stages

	s.logger.Info().Stringer("budget", httpBudget).Msg("delay over: closing the listener, draining connections")
	httpCtx, cancel := context.WithTimeout(context.Background(), httpBudget)
	defer cancel()
	if err := srv.Shutdown(httpCtx); err != nil {
		st.http = fmt.Errorf("in-flight requests cut off after %s of SHUTDOWN_TIMEOUT=%s", httpBudget, s.cfg.ShutdownTimeout)
	}

	ctx, cancel := context.WithDeadline(context.Background(), end)
	defer cancel()
	st.workers = workers.stop(ctx)
	var errs []error
	for _, closeFn := range s.closers {
		errs = append(errs, closeFn(ctx))
	}
	st.closers = errors.Join(errs...)
	return st
}

// flush exports buffered telemetry within its budget. Lost spans are worth a warning,
// not a failed shutdown.
func (s *service) flush() {
	budget := telemetryBudget(s.cfg.ShutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	if err := s.flushTelemetry(ctx); err != nil {
		s.logger.Warn().Err(err).Stringer("budget", budget).
			Msg("tracing: buffered spans not exported before shutdown (is the OTLP collector reachable?)")
	}
}
