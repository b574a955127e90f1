// Package buildinfo says what is running: the service's name and the version, commit and
// build date stamped in at link time, or else recorded by the Go toolchain.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

// Service is the service's name: the "service" field of every log line.
const Service = "with-preset"

// Set at link time, e.g.
//
//	go build -ldflags "-X gitlab.acme.dev/services/with-preset/internal/buildinfo.Version=v1.2.3 -X gitlab.acme.dev/services/with-preset/internal/buildinfo.Commit=$(git rev-parse HEAD) -X gitlab.acme.dev/services/with-preset/internal/buildinfo.Date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
//
// They must stay plain string variables without initialising expressions, or -X cannot set them.
var (
	Version = "dev"
	Commit  = "unknown"
	Date    = "unknown"
)

// Build describes the running binary.
type Build struct {
	Version, Commit, Date string
}

// Current is the build as stamped at link time. What was not stamped comes from what the
// Go toolchain recorded in the binary: the module version of `go install module@v1.2.3`,
// and the VCS revision and commit time of a build in a git checkout.
var Current = sync.OnceValue(func() Build {
	b := Build{Version: Version, Commit: Commit, Date: Date}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	return fromToolchain(b, info)
})

func fromToolchain(b Build, info *debug.BuildInfo) Build {
	if b.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision" && b.Commit == "unknown":
			b.Commit = s.Value
		case s.Key == "vcs.time" && b.Date == "unknown":
			b.Date = s.Value
		}
	}
	return b
}

// String describes the build in one line, as the version command prints it.
func String() string {
	b := Current()
	return fmt.Sprintf("%s %s (commit %s, built %s, %s %s/%s)",
		Service, b.Version, b.Commit, b.Date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
