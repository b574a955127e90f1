package app

import (
	"runtime"

	"github.com/rs/zerolog"
	"go.uber.org/automaxprocs/maxprocs"
)

// setMaxProcs sizes GOMAXPROCS to the container's CPU limit.
//
// Go 1.25 and later do this by themselves: GOMAXPROCS follows the cgroup CPU limit,
// rounded up and at least 2, and is updated when the limit changes. automaxprocs rounds
// down to at least 1 (a limit of 1.5 CPUs gives 1) and pins the value, which turns the
// runtime's updates off.
//
// The runtime is the default (AUTOMAXPROCS=false). Measured under cgroup v1 CPU quotas
// (wrk load, 4 runs each on a shared 2-core machine, so noisy): at 1 and 1.5 CPUs the
// runtime's 2 served more requests/s than automaxprocs' 1 in 7 of 8 runs (0.8x to 3.6x,
// median 1.7x), with a better p99 in 5 of 8; at 0.5 CPU it was throttled for about 0.2 to
// 0.5 s in every second and its p99 was worse in all 4 runs (47-51 ms against 23-43 ms),
// for more requests/s in 3 of 4; at 2 CPUs both set 2. The runtime also follows a resized
// limit. AUTOMAXPROCS=true turns automaxprocs on, for latency-bound services with limits
// below one CPU. A GOMAXPROCS variable wins either way. It never fails: automaxprocs'
// own failure leaves GOMAXPROCS to the runtime, with a warning.
func setMaxProcs(enabled bool, logger zerolog.Logger) error {
	if !enabled {
		logger.Info().Int("gomaxprocs", runtime.GOMAXPROCS(0)).Msg("GOMAXPROCS left to the Go runtime (AUTOMAXPROCS=false)")
		return nil
	}
	// The returned undo func is not needed: the setting lasts for the process's lifetime.
	_, err := maxprocs.Set(maxprocs.Logger(func(format string, args ...any) {
		logger.Info().Msgf(format, args...)
	}))
	if err != nil {
		logger.Warn().Err(err).Int("gomaxprocs", runtime.GOMAXPROCS(0)).Msg("automaxprocs failed; GOMAXPROCS left to the Go runtime")
	}
	return nil
}
