package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/example/postgres-tracing/internal/database"
)

// fakeNotes keeps notes in memory; failing makes every call fail like a database that is down.
type fakeNotes struct {
	mu      sync.Mutex
	notes   []database.Note
	failing bool
}

func (f *fakeNotes) Add(_ context.Context, body string) (database.Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing {
		return database.Note{}, errors.New("connection refused")
	}
	n := database.Note{ID: int64(len(f.notes) + 1), Body: body, CreatedAt: time.Now()}
	f.notes = append(f.notes, n)
	return n, nil
}

func (f *fakeNotes) Get(_ context.Context, id int64) (database.Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing {
		return database.Note{}, errors.New("connection refused")
	}
	if id > int64(len(f.notes)) {
		return database.Note{}, database.ErrNotFound
	}
	return f.notes[id-1], nil
}

func (f *fakeNotes) Latest(_ context.Context, limit int) ([]database.Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing {
		return nil, errors.New("connection refused")
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
	} {
		if rec := serve(mux, tt.method, tt.target, tt.body); rec.Code != tt.want {
			t.Errorf("%s: %d, want %d (%s)", tt.name, rec.Code, tt.want, rec.Body)
		}
	}

	store.failing = true
	for _, target := range []string{"/api/v1/notes", "/api/v1/notes/1"} {
		rec := serve(mux, http.MethodGet, target, "")
		if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "refused") {
			t.Errorf("database down, GET %s: %d %s, want 503 without the error's text", target, rec.Code, rec.Body)
		}
	}
}
