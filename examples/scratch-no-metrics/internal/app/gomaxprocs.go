package app

import (
	"runtime"

	"github.com/rs/zerolog"

	"github.com/example/scratch-no-metrics/internal/config"
)

// setMaxProcs leaves GOMAXPROCS to the Go runtime, which (Go 1.25 and later) follows the
// cgroup CPU limit: rounded up, at least 2, and updated when the limit changes. A
// GOMAXPROCS variable wins.
//
// automaxprocs, which rounds down to at least 1 and pins the value (less throttling and a
// lower p99 for latency-bound services below one CPU), is not compiled into this service:
// generating it with --automaxprocs adds it, switched on by AUTOMAXPROCS=true. Here that
// setting would do nothing, so it is refused rather than ignored.
func setMaxProcs(enabled bool, logger zerolog.Logger) error {
	if enabled {
		return &config.Error{Var: "AUTOMAXPROCS", Value: "true", Want: "false: this service is built without automaxprocs (generate it with --automaxprocs)"}
	}
	logger.Info().Int("gomaxprocs", runtime.GOMAXPROCS(0)).Msg("GOMAXPROCS left to the Go runtime (AUTOMAXPROCS=false)")
	return nil
}
