package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/example/postgres-tracing/internal/database"
)

// NoteStore is what the notes routes need from the database; tests pass a fake.
type NoteStore interface {
	Add(ctx context.Context, body string) (database.Note, error)
	Get(ctx context.Context, id int64) (database.Note, error)
	Latest(ctx context.Context, limit int) ([]database.Note, error)
}

const (
	maxNoteLength = 1000 // as the table's CHECK says
	latestNotes   = 20
)

// RegisterNotes adds the example routes that read and write through the database:
//
//	POST /api/v1/notes       {"body": "..."} → 201 and the stored note
//	GET  /api/v1/notes       → the latest notes, newest first
//	GET  /api/v1/notes/{id}  → one note, or 404
func RegisterNotes(mux *http.ServeMux, store NoteStore) {
	h := notesHandler{store: store}
	mux.HandleFunc("POST /api/v1/notes", h.add)
	mux.HandleFunc("GET /api/v1/notes", h.latest)
	mux.HandleFunc("GET /api/v1/notes/{id}", h.get)
}

type notesHandler struct{ store NoteStore }

type noteRequest struct {
	Body string `json:"body"`
}

func (h notesHandler) add(w http.ResponseWriter, r *http.Request) {
	var req noteRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, errorResponse{Error: "the body must be JSON like {\"body\": \"text\"}"})
		return
	}
	if n := utf8.RuneCountInString(req.Body); n < 1 || n > maxNoteLength {
		writeJSON(w, http.StatusBadRequest, errorResponse{Error: "body must be 1 to 1000 characters"})
		return
	}
	note, err := h.store.Add(r.Context(), req.Body)
	if err != nil {
		databaseError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, note)
}

func (h notesHandler) get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		writeJSON(w, http.StatusBadRequest, errorResponse{Error: "id must be a positive whole number"})
		return
	}
	note, err := h.store.Get(r.Context(), id)
	if errors.Is(err, database.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, errorResponse{Error: "no such note"})
		return
	}
	if err != nil {
		databaseError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, note)
}

func (h notesHandler) latest(w http.ResponseWriter, r *http.Request) {
	notes, err := h.store.Latest(r.Context(), latestNotes)
	if err != nil {
		databaseError(w, r, err)
		return
	}
	if notes == nil {
		notes = []database.Note{} // [] rather than null
	}
	writeJSON(w, http.StatusOK, map[string][]database.Note{"notes": notes})
}

// databaseError logs what went wrong and answers 503: the client may try again, and
// nothing about the database goes out in the response.
func databaseError(w http.ResponseWriter, r *http.Request, err error) {
	zerolog.Ctx(r.Context()).Error().Err(err).Msg("database")
	writeJSON(w, http.StatusServiceUnavailable, errorResponse{Error: "the database is not available, try again later"})
}
