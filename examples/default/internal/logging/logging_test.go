package logging

import (
	"bytes"
	"encoding/json"
	"log"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// lines decodes JSON log output, one object per line.
func lines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var entries []map[string]any
	for line := range strings.Lines(out) {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		entries = append(entries, entry)
	}
	return entries
}

func TestNewWritesJSONWithServiceAndVersion(t *testing.T) {
	var buf bytes.Buffer
	logger, err := New(&buf, "info", "json", "svc", "v1.2.3")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	logger.Debug().Msg("hidden")
	logger.Info().Str("k", "v").Msg("hello")

	entries := lines(t, buf.String())
	if len(entries) != 1 {
		t.Fatalf("got %d lines, want 1 (debug is below info): %s", len(entries), buf.String())
	}
	e := entries[0]
	for key, want := range map[string]string{"level": "info", "message": "hello", "service": "svc", "version": "v1.2.3", "k": "v"} {
		if e[key] != want {
			t.Errorf("%s = %v, want %q", key, e[key], want)
		}
	}
	ts, _ := e["time"].(string)
	if _, err := time.Parse(time.RFC3339, ts); err != nil {
		t.Errorf("time %q is not RFC 3339: %v", ts, err)
	}
}

// One timestamp for all: its once-a-second cache must hold across milliseconds of one
// second, the next second, a step back, and years it does not cache.
func TestAppendTimeMatchesTimeFieldFormat(t *testing.T) {
	var ts timestamp
	now := time.Now()
	for _, tm := range []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 6_789_000, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 999_999_999, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 1_000_000, time.UTC),
		time.Date(2026, 1, 2, 4, 4, 5, 1_000_000, time.FixedZone("x", 3600)),
		time.Date(1999, 12, 31, 23, 59, 59, 999_999_999, time.FixedZone("x", 3600)),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(12345, 6, 7, 8, 9, 10, 0, time.UTC),
		time.Date(-1, 6, 7, 8, 9, 10, 0, time.UTC),
		now,
		now.Add(time.Millisecond),
	} {
		if got, want := string(ts.appendTime(nil, tm)), tm.UTC().Format(timeFormat); got != want {
			t.Errorf("appendTime(%v) = %q, want %q", tm, got, want)
		}
	}
}

func TestNewLevels(t *testing.T) {
	for _, level := range []string{"trace", "debug", "info", "warn", "error"} {
		if _, err := New(&bytes.Buffer{}, level, "json", "svc", "dev"); err != nil {
			t.Errorf("New(%q): %v", level, err)
		}
	}
	if _, err := New(&bytes.Buffer{}, "loud", "json", "svc", "dev"); err == nil {
		t.Error(`New("loud") succeeded`)
	}
}

func TestNewConsoleIsForPeople(t *testing.T) {
	var buf bytes.Buffer
	logger, err := New(&buf, "info", "console", "svc", "dev")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	logger.Info().Msg("hello")
	out := buf.String()
	if strings.HasPrefix(out, "{") || !strings.Contains(out, "hello") || strings.Contains(out, "\x1b[") {
		t.Errorf("console output %q: want plain text without colours (not a terminal)", out)
	}
}

func TestRouteStandardLibrary(t *testing.T) {
	var buf bytes.Buffer
	logger, err := New(&buf, "info", "json", "svc", "dev")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	prevOut, prevSlog := log.Writer(), slog.Default()
	restore := RouteStandardLibrary(logger)
	log.Print("from log")
	slog.Warn("from slog", "attempt", 2)
	slog.Debug("below the level")
	restore()
	if log.Writer() != prevOut || slog.Default() != prevSlog {
		t.Error("restore did not put back the previous log output and slog default")
	}

	entries := lines(t, buf.String())
	if len(entries) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(entries), buf.String())
	}
	if e := entries[0]; e["message"] != "from log" || e["level"] != "info" {
		t.Errorf("log.Print gave %v", e)
	}
	if e := entries[1]; e["message"] != "from slog" || e["level"] != "warn" || e["attempt"] != 2.0 || e["service"] != "svc" {
		t.Errorf("slog.Warn gave %v", e)
	}
}

func TestServerErrorLog(t *testing.T) {
	var buf bytes.Buffer
	logger, err := New(&buf, "info", "json", "svc", "dev")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ServerErrorLog(logger).Print("http: TLS handshake error")
	entries := lines(t, buf.String())
	if len(entries) != 1 || entries[0]["level"] != "warn" || entries[0]["message"] != "http: TLS handshake error" {
		t.Errorf("got %v", entries)
	}
}

// Importing logging changes none of zerolog's globals: other loggers in the process (a
// library's, a test's) keep zerolog's defaults.
func TestNoGlobalSettingsChanged(t *testing.T) {
	if zerolog.TimeFieldFormat != time.RFC3339 {
		t.Errorf("zerolog.TimeFieldFormat = %q, want zerolog's default", zerolog.TimeFieldFormat)
	}
	if got := zerolog.TimestampFunc(); got.Location() != time.Local {
		t.Errorf("zerolog.TimestampFunc returns %v times, want zerolog's default (local)", got.Location())
	}
}
