//go:build pprof

package profiling

import (
	"net/http"
	"net/http/pprof"
)

// Linked says whether this binary can serve profiles: built with -tags pprof, it can.
const Linked = true

// Register serves net/http/pprof's profiles under /debug/pprof/ on mux (the admin port's).
func Register(mux *http.ServeMux) {
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
}
