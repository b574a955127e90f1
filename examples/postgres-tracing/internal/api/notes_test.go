package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"

	"github.com/example/postgres-tracing/internal/database"
)

// fakeNotes keeps notes in memory; fail, when set, is every call's error.
type fakeNotes struct {
	mu    sync.Mutex
	notes []database.Note
	fail  error
}

func (f *fakeNotes) RetryAfter() time.Duration { return 1500 * time.Millisecond }

func (f *fakeNotes) Add(_ context.Context, body string) (database.Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return database.Note{}, f.fail
	}
	n := database.Note{ID: int64(len(f.notes) + 1), Body: body, CreatedAt: time.Now()}
	f.notes = append(f.notes, n)
	return n, nil
}

func (f *fakeNotes) Get(_ context.Context, id int64) (database.Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return database.Note{}, f.fail
	}
	if id > int64(len(f.notes)) {
		return database.Note{}, database.ErrNotFound
	}
	return f.notes[id-1], nil
}

func (f *fakeNotes) Latest(_ context.Context, limit int) ([]database.Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	var out []database.Note
	for i := len(f.notes) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, f.notes[i])
	}
	return out, nil
}

func serve(mux *http.ServeMux, method, target, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
	return rec
}

func TestNotes(t *testing.T) {
	store := &fakeNotes{}
	mux := http.NewServeMux()
	RegisterNotes(mux, store)

	if rec := serve(mux, http.MethodGet, "/api/v1/notes", ""); rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"notes":[]}` {
		t.Errorf("empty list: %d %s", rec.Code, rec.Body)
	}
	rec := serve(mux, http.MethodPost, "/api/v1/notes", `{"body":"first"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	var created database.Note
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil || created.ID != 1 || created.Body != "first" {
		t.Fatalf("POST answered %s (%v)", rec.Body, err)
	}
	if rec := serve(mux, http.MethodGet, "/api/v1/notes/1", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"body":"first"`) {
		t.Errorf("GET /1: %d %s", rec.Code, rec.Body)
	}

	for _, tt := range []struct {
		name, method, target, body string
		want                       int
	}{
		{"missing note", http.MethodGet, "/api/v1/notes/2", "", http.StatusNotFound},
		{"id not a number", http.MethodGet, "/api/v1/notes/x", "", http.StatusBadRequest},
		{"id zero", http.MethodGet, "/api/v1/notes/0", "", http.StatusBadRequest},
		{"body not JSON", http.MethodPost, "/api/v1/notes", "first", http.StatusBadRequest},
		{"empty body", http.MethodPost, "/api/v1/notes", `{"body":""}`, http.StatusBadRequest},
		{"body too long", http.MethodPost, "/api/v1/notes", `{"body":"` + strings.Repeat("x", maxNoteLength+1) + `"}`, http.StatusBadRequest},
		{"request of 20 KB", http.MethodPost, "/api/v1/notes", `{"body":"` + strings.Repeat("x", 20<<10) + `"}`, http.StatusRequestEntityTooLarge},
		{"unknown field", http.MethodPost, "/api/v1/notes", `{"body":"x","author":"me"}`, http.StatusBadRequest},
		{"trailing data", http.MethodPost, "/api/v1/notes", `{"body":"x"} garbage`, http.StatusBadRequest},
		{"two objects", http.MethodPost, "/api/v1/notes", `{"body":"x"}{"body":"y"}`, http.StatusBadRequest},
	} {
		if rec := serve(mux, tt.method, tt.target, tt.body); rec.Code != tt.want {
			t.Errorf("%s: %d, want %d (%s)", tt.name, rec.Code, tt.want, rec.Body)
		}
	}

	if rec := serve(mux, http.MethodPost, "/api/v1/notes", `{"body":"second"}`+"\n"); rec.Code != http.StatusCreated {
		t.Errorf("a body ending in a newline: %d %s", rec.Code, rec.Body)
	}
}

// Store errors are answered by their cause, with nothing of the error's text.
func TestNotesErrorsByCause(t *testing.T) {
	for _, tt := range []struct {
		name       string
		err        error
		want       int
		retryAfter string
	}{
		{"database known down", fmt.Errorf("%w: connection refused", database.ErrUnavailable), http.StatusServiceUnavailable, "2"},
		{"server unreachable", &pgconn.ConnectError{}, http.StatusServiceUnavailable, "2"},
		{"request deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), http.StatusGatewayTimeout, ""},
		{"statement_timeout", &pgconn.PgError{Code: "57014", Message: "canceling statement due to statement timeout"}, http.StatusGatewayTimeout, ""},
		{"a bug", &pgconn.PgError{Code: "42P01", Message: "relation \"nots\" does not exist"}, http.StatusInternalServerError, ""},
	} {
		mux := http.NewServeMux()
		RegisterNotes(mux, &fakeNotes{fail: tt.err})
		for _, target := range []string{"/api/v1/notes", "/api/v1/notes/1"} {
			rec := serve(mux, http.MethodGet, target, "")
			if rec.Code != tt.want || rec.Header().Get("Retry-After") != tt.retryAfter {
				t.Errorf("%s, GET %s: %d Retry-After %q, want %d %q", tt.name, target, rec.Code, rec.Header().Get("Retry-After"), tt.want, tt.retryAfter)
			}
			if body := rec.Body.String(); strings.Contains(body, "refused") || strings.Contains(body, "nots") || strings.Contains(body, "statement") {
				t.Errorf("%s: the error's text went out: %s", tt.name, body)
			}
		}
	}
}

// A client that has gone gets nothing written: no status, no body, no error line.
func TestNotesClientGoneWritesNothing(t *testing.T) {
	mux := http.NewServeMux()
	RegisterNotes(mux, &fakeNotes{fail: fmt.Errorf("query: %w", context.Canceled)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var logs bytes.Buffer
	req := httptest.NewRequestWithContext(zerolog.New(&logs).Level(zerolog.InfoLevel).WithContext(ctx), http.MethodGet, "/api/v1/notes/1", nil)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Body.Len() != 0 || rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "" {
		t.Errorf("wrote %d %q for a client that has gone", rec.Code, rec.Body)
	}
	if logs.Len() != 0 {
		t.Errorf("logged above debug: %s", &logs)
	}
}
