package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"

	"github.com/example/postgres-tracing/internal/database"
)

// NoteStore is what the notes routes need from the database; tests pass a fake.
type NoteStore interface {
	Add(ctx context.Context, body string) (database.Note, error)
	Get(ctx context.Context, id int64) (database.Note, error)
	Latest(ctx context.Context, limit int) ([]database.Note, error)
	// RetryAfter is what a 503 tells clients to wait before trying again.
	RetryAfter() time.Duration
}

const (
	maxNoteLength = 1000 // as the table's CHECK says
	// maxNoteRequest is far more than a note of maxNoteLength characters needs in JSON.
	maxNoteRequest = 16 << 10
	latestNotes    = 20
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
	if err := decodeJSON(w, r, &req, maxNoteRequest); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorResponse{Error: "the body must be at most " + strconv.Itoa(maxNoteRequest) + " bytes"})
			return
		}
		writeJSON(w, http.StatusBadRequest, errorResponse{Error: "the body must be one JSON object like {\"body\": \"text\"}, with no other fields"})
		return
	}
	if n := utf8.RuneCountInString(req.Body); n < 1 || n > maxNoteLength {
		writeJSON(w, http.StatusBadRequest, errorResponse{Error: "body must be 1 to 1000 characters"})
		return
	}
	note, err := h.store.Add(r.Context(), req.Body)
	if err != nil {
		h.storeError(w, r, err)
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
		h.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, note)
}

func (h notesHandler) latest(w http.ResponseWriter, r *http.Request) {
	notes, err := h.store.Latest(r.Context(), latestNotes)
	if err != nil {
		h.storeError(w, r, err)
		return
	}
	if notes == nil {
		notes = []database.Note{} // [] rather than null
	}
	writeJSON(w, http.StatusOK, map[string][]database.Note{"notes": notes})
}

// decodeJSON reads one JSON object of at most limit bytes into v: unknown fields and
// anything after the object are errors, a body over the limit an *http.MaxBytesError.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err == nil {
			err = errors.New("data after the JSON object")
		}
		return err
	}
	return nil
}

// storeLog samples the per-request database errors: during an outage thousands of
// requests fail the same way, and the access log already has one line for each.
var storeLog = &zerolog.BurstSampler{Burst: 5, Period: time.Second}

// storeError answers a failed store call by its cause. Nothing about the database goes
// out in the response.
//
//   - the client has gone (context.Canceled): nothing is written, nobody would read it;
//   - the database is known to be down (database.ErrUnavailable) or cannot be reached:
//     503 with Retry-After; the watcher logs the outage once;
//   - no answer in time (the request deadline, statement_timeout): 504;
//   - anything else is a fault of this service or its queries: 500, at error level.
func (h notesHandler) storeError(w http.ResponseWriter, r *http.Request, err error) {
	log := zerolog.Ctx(r.Context()).Sample(storeLog)
	switch {
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		zerolog.Ctx(r.Context()).Debug().Err(err).Msg("database: the client has gone")
	case errors.Is(err, database.ErrUnavailable):
		h.unavailable(w)
	case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) || isPgCode(err, "57014"):
		log.Warn().Err(err).Msg("database: no answer in time (sampled)")
		writeJSON(w, http.StatusGatewayTimeout, errorResponse{Error: "the database did not answer in time, try again later"})
	case isConnectionError(err):
		log.Warn().Err(err).Msg("database: cannot reach the server (sampled)")
		h.unavailable(w)
	default:
		log.Error().Err(err).Msg("database (sampled)")
		writeJSON(w, http.StatusInternalServerError, errorResponse{Error: "internal server error"})
	}
}

func (h notesHandler) unavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(h.store.RetryAfter().Seconds()))))
	writeJSON(w, http.StatusServiceUnavailable, errorResponse{Error: "the database is not available, try again later"})
}

// isPgCode reports whether err is a PostgreSQL error with this SQLSTATE, e.g. 57014
// (query_canceled: statement_timeout).
func isPgCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}

// isConnectionError reports whether err means the server could not be reached or the
// connection broke, rather than that it refused the query.
func isConnectionError(err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}
