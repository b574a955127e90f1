//go:build pprof

package profiling

import (
	"net/http"
	"net/http/pprof"
)

// Linked says whether this binary can serve profiles: built with -tags pprof, it can.
const Linked = true

// Register serves net/http/pprof's profiles under /debug/pprof/ through handle (the admin
// port's).
func Register(handle func(pattern string, handler http.Handler)) {
	handle("/debug/pprof/", http.HandlerFunc(pprof.Index))
	handle("/debug/pprof/cmdline", http.HandlerFunc(pprof.Cmdline))
	handle("/debug/pprof/profile", http.HandlerFunc(pprof.Profile))
	handle("/debug/pprof/symbol", http.HandlerFunc(pprof.Symbol))
	handle("/debug/pprof/trace", http.HandlerFunc(pprof.Trace))
}
