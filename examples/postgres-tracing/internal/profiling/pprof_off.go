//go:build !pprof

package profiling

import "net/http"

// Linked says whether this binary can serve profiles: without -tags pprof, it cannot.
const Linked = false

// Register adds nothing: this build has no profiles to serve (config refuses PPROF=true).
func Register(func(pattern string, handler http.Handler)) {}
