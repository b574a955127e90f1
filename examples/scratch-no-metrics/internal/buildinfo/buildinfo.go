// Package buildinfo says what is running: the service's name and the version, commit and
// build date stamped in at link time.
package buildinfo

import (
	"fmt"
	"runtime"
)

// Service is the service's name: the "service" field of every log line.
const Service = "scratch-no-metrics"

// Set at link time, e.g.
//
//	go build -ldflags "-X github.com/example/scratch-no-metrics/internal/buildinfo.Version=v1.2.3 -X github.com/example/scratch-no-metrics/internal/buildinfo.Commit=$(git rev-parse HEAD) -X github.com/example/scratch-no-metrics/internal/buildinfo.Date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
//
// They must stay plain string variables without initialising expressions, or -X cannot set them.
var (
	Version = "dev"
	Commit  = "unknown"
	Date    = "unknown"
)

// String describes the build in one line, as the version command prints it.
func String() string {
	return fmt.Sprintf("%s %s (commit %s, built %s, %s %s/%s)",
		Service, Version, Commit, Date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
