// Package api holds the service's own HTTP endpoints.
package api

import (
	"encoding/json"
	"net/http"
)

// Register adds the API's routes to mux: the generated ones here, the team's from
// RegisterRoutes (routes.go). Routes are ServeMux patterns; their path part ("/api/v1/hello") is
// the route name in logs, metrics and traces.
func Register(mux *http.ServeMux) {
	RegisterRoutes(mux)

	mux.HandleFunc("GET /api/v1/hello", Hello)
}

type errorResponse struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
