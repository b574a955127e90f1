package api

import "net/http"

// RegisterRoutes adds the service's own routes to mux, beside the generated ones (Register).
// This file is yours: it was generated once, and regen and update never change it, so the
// routes you add here never meet a generator update.
func RegisterRoutes(mux *http.ServeMux) {
	// mux.HandleFunc("GET /api/v1/orders", Orders)
}
