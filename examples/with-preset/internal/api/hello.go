package api

import (
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/rs/zerolog"
)

const maxNameLength = 64

type helloResponse struct {
	Message string `json:"message"`
}

// Hello greets ?name= (default "world"): GET /api/v1/hello?name=Ada.
func Hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "world"
	}
	if utf8.RuneCountInString(name) > maxNameLength {
		writeJSON(w, http.StatusBadRequest, errorResponse{Error: fmt.Sprintf("name must be at most %d characters", maxNameLength)})
		return
	}
	// The request's logger already carries its request id (and trace id, with tracing).
	zerolog.Ctx(r.Context()).Debug().Str("name", name).Msg("greeting")
	writeJSON(w, http.StatusOK, helloResponse{Message: "Hello, " + name + "!"})
}
