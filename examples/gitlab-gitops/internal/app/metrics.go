package app

import (
	"runtime"

	"gitlab.com/example/gitlab-gitops/internal/buildinfo"
)

// useMetrics wires the Prometheus metrics in: the registry (newOptions), served on the
// admin port's /metrics (routes.go), the build's info series, and the RED series of every
// request but the probes.
func (s *service) useMetrics(build buildinfo.Build) {
	s.metrics.RegisterBuildInfo(build.Version, build.Commit, runtime.Version())
	s.observer = s.metrics
}
