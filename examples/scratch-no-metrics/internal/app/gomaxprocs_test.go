package app

import (
	"errors"
	"testing"

	"github.com/rs/zerolog"

	"github.com/example/scratch-no-metrics/internal/config"
)

func TestAutoMaxProcsIsRefusedWithoutIt(t *testing.T) {
	var cfgErr *config.Error
	if err := setMaxProcs(true, zerolog.Nop()); !errors.As(err, &cfgErr) || cfgErr.Var != "AUTOMAXPROCS" {
		t.Errorf("setMaxProcs(true) without automaxprocs: %v, want a *config.Error for AUTOMAXPROCS", err)
	}
	if err := setMaxProcs(false, zerolog.Nop()); err != nil {
		t.Errorf("setMaxProcs(false): %v", err)
	}
}
