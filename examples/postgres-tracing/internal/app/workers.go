package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/rs/zerolog"
)

// A worker is a long-running background job beside the HTTP server: a queue consumer, a
// cache refresher, an outbox relay. run must return once ctx is done; returning early
// with an error stops the whole service (exit 1), returning early with nil just ends
// the job.
type worker struct {
	name string
	run  func(ctx context.Context) error
}

// supervisor starts workers in order and stops them in reverse order, each one only
// after the ones started after it have returned, so that a worker may rely on those
// started before it.
type supervisor struct {
	logger  zerolog.Logger
	running []*runningWorker
	// failed receives the error of the first worker that failed on its own; stop
	// reports it again with the others.
	failed chan error
}

type runningWorker struct {
	worker
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func newSupervisor(logger zerolog.Logger) *supervisor {
	return &supervisor{logger: logger, failed: make(chan error, 1)}
}

// start runs w until stop. ctx should not be the one cancelled by signals: workers keep
// going until the HTTP server has drained, since in-flight requests may need them.
func (s *supervisor) start(ctx context.Context, w worker) {
	ctx, cancel := context.WithCancel(ctx)
	rw := &runningWorker{worker: w, cancel: cancel, done: make(chan struct{})}
	s.running = append(s.running, rw)
	s.logger.Info().Str("worker", w.name).Msg("worker started")
	go func() {
		defer close(rw.done)
		rw.err = w.run(ctx)
		if ctx.Err() == nil && rw.err != nil {
			select {
			case s.failed <- fmt.Errorf("worker %s: %w", w.name, rw.err):
			default: // another worker's failure is already stopping the service
			}
		}
	}()
}

// stop cancels the workers one by one, last started first, and waits for each until ctx
// is done. It returns the errors of workers that failed or did not stop in time.
func (s *supervisor) stop(ctx context.Context) error {
	var errs []error
	for i := len(s.running) - 1; i >= 0; i-- {
		rw := s.running[i]
		rw.cancel()
		select {
		case <-rw.done:
		case <-ctx.Done():
			select {
			case <-rw.done:
			default:
				errs = append(errs, fmt.Errorf("worker %s did not stop in time", rw.name))
				continue
			}
		}
		if rw.err != nil && !errors.Is(rw.err, context.Canceled) {
			errs = append(errs, fmt.Errorf("worker %s: %w", rw.name, rw.err))
		}
		s.logger.Info().Str("worker", rw.name).Msg("worker stopped")
	}
	return errors.Join(errs...)
}
