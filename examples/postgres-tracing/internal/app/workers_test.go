package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestSupervisorReportsAnEarlyFailure(t *testing.T) {
	s := newSupervisor(zerolog.Nop())
	s.start(context.Background(), worker{name: "a", run: func(context.Context) error { return errors.New("broken") }})
	s.start(context.Background(), worker{name: "b", run: func(context.Context) error { return errors.New("also broken") }})
	if err := <-s.failed; !strings.Contains(err.Error(), "broken") {
		t.Errorf("failed = %v", err)
	}
	err := s.stop(context.Background())
	if err == nil || !strings.Contains(err.Error(), "worker a: broken") || !strings.Contains(err.Error(), "worker b: also broken") {
		t.Errorf("stop = %v, want both errors", err)
	}
}

func TestSupervisorGivesUpOnWorkersThatIgnoreCancellation(t *testing.T) {
	s := newSupervisor(zerolog.Nop())
	stuck := make(chan struct{})
	defer close(stuck)
	s.start(context.Background(), worker{name: "stuck", run: func(context.Context) error {
		<-stuck
		return nil
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.stop(ctx); err == nil || !strings.Contains(err.Error(), "worker stuck did not stop in time") {
		t.Errorf("stop = %v", err)
	}
}

func TestSupervisorWorkerEndingEarlyWithoutErrorIsFine(t *testing.T) {
	s := newSupervisor(zerolog.Nop())
	done := make(chan struct{})
	s.start(context.Background(), worker{name: "once", run: func(context.Context) error {
		close(done)
		return nil
	}})
	<-done
	if err := s.stop(context.Background()); err != nil {
		t.Errorf("stop = %v", err)
	}
	select {
	case err := <-s.failed:
		t.Errorf("a worker that finished reported %v", err)
	default:
	}
}
