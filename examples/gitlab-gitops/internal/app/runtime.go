package app

import (
	"errors"
	"math"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/rs/zerolog"
)

// setMemLimit sets GOMEMLIMIT to 90% of the cgroup memory limit, so that the garbage
// collector works harder before the kernel's OOM killer steps in; the rest is headroom
// for memory the Go runtime does not count. A GOMEMLIMIT variable wins.
func setMemLimit(getenv func(string) string, logger zerolog.Logger) {
	if v := getenv("GOMEMLIMIT"); v != "" {
		logger.Info().Str("gomemlimit", v).Msg("GOMEMLIMIT set by the environment")
		return
	}
	limit, err := memlimit.Set(memlimit.WithRatio(0.9), memlimit.WithProvider(memlimit.FromCgroup))
	switch {
	case errors.Is(err, memlimit.ErrNoCgroup), errors.Is(err, memlimit.ErrCgroupsNotSupported):
		logger.Info().Msg("GOMEMLIMIT not set: not running in a cgroup")
	case err != nil:
		logger.Warn().Err(err).Msg("GOMEMLIMIT not set")
	case limit == math.MaxInt64:
		logger.Info().Msg("GOMEMLIMIT not set: no cgroup memory limit")
	default:
		logger.Info().Int64("gomemlimit", limit).Msg("GOMEMLIMIT set to 90% of the cgroup memory limit")
	}
}
