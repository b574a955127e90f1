package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHello(t *testing.T) {
	mux := http.NewServeMux()
	Register(mux)
	tests := []struct {
		name, target string
		wantCode     int
		wantKey      string
		wantText     string
	}{
		{"default name", "/api/v1/hello", http.StatusOK, "message", "Hello, world!"},
		{"given name", "/api/v1/hello?name=Ada", http.StatusOK, "message", "Hello, Ada!"},
		{"escaped name", "/api/v1/hello?name=%22%3Cb%3E%22", http.StatusOK, "message", `Hello, "<b>"!`},
		{"name too long", "/api/v1/hello?name=" + strings.Repeat("x", maxNameLength+1), http.StatusBadRequest, "error", "name must be at most 64 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.target, nil))
			if rec.Code != tt.wantCode {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantCode)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if body[tt.wantKey] != tt.wantText {
				t.Errorf("body = %v, want %s %q", body, tt.wantKey, tt.wantText)
			}
		})
	}
}

func TestHelloOnlyAnswersGET(t *testing.T) {
	mux := http.NewServeMux()
	Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/hello", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST answered %d, want 405", rec.Code)
	}
}
