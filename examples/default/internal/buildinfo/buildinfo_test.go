package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestStampedValuesWin(t *testing.T) {
	info := &debug.BuildInfo{
		Main: debug.Module{Version: "v9.9.9"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "toolchain"},
			{Key: "vcs.time", Value: "2020-01-01T00:00:00Z"},
		},
	}
	got := fromToolchain(Build{Version: "v1.2.3", Commit: "abc", Date: "2026-01-01"}, info)
	if want := (Build{Version: "v1.2.3", Commit: "abc", Date: "2026-01-01"}); got != want {
		t.Errorf("fromToolchain() = %+v, want %+v", got, want)
	}
}

// Without -ldflags -X (go install, go run, a plain go build), the toolchain's record
// names the build.
func TestUnstampedBuildFallsBackToTheToolchain(t *testing.T) {
	info := &debug.BuildInfo{
		Main: debug.Module{Version: "v0.4.1"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
		},
	}
	got := fromToolchain(Build{Version: "dev", Commit: "unknown", Date: "unknown"}, info)
	if want := (Build{Version: "v0.4.1", Commit: "0123abcd", Date: "2026-12-01T10:00:00Z"}); got != want {
		t.Errorf("fromToolchain() = %+v, want %+v", got, want)
	}
	devel := fromToolchain(Build{Version: "dev", Commit: "unknown", Date: "unknown"}, &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}})
	if devel.Version != "dev" {
		t.Errorf("a (devel) build is version %q, want dev", devel.Version)
	}
}
