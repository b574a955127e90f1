//go:build !pprof

package profiling

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestWithoutTheTagNothingIsServed(t *testing.T) {
	mux := http.NewServeMux()
	Register(mux.Handle)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/debug/pprof/", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET /debug/pprof/ = %d, want 404 in a build without -tags pprof", rec.Code)
	}
}
