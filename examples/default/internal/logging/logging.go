// Package logging sets up zerolog, the service's one logger, and routes the standard
// library's log and log/slog output into it.
package logging

import (
	"io"
	"log"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// timeFormat is UTC with milliseconds, fixed width: lines from one busy second stay in
// order and sort as text.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// New returns a logger writing to w at level (trace, debug, info, warn or error) in
// format "json" (one object per line, for log collectors) or "console" (for people).
// Every line carries the service's name and version.
func New(w io.Writer, level, format, service, version string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		return zerolog.Nop(), err
	}
	if format == "console" {
		w = zerolog.ConsoleWriter{Out: w, NoColor: !isTerminal(w), TimeFormat: "15:04:05.000"}
	}
	return zerolog.New(w).Level(lvl).With().
		Str("service", service).
		Str("version", version).
		Logger().
		Hook(&timestamp{}), nil
}

// timestamp adds the time to each line like zerolog's Context.Timestamp, in a fifth of
// the time: the lines of one second differ only in their milliseconds, so the rest is
// formatted once a second, and the access log writes a line per request. It needs none of
// zerolog's global settings, which an init function would have to change for every logger
// in the process.
type timestamp struct {
	second atomic.Pointer[second]
}

// secondFormat is timeFormat up to the milliseconds: what the lines of one second share.
const secondFormat = "2006-01-02T15:04:05."

// second is a second's formatted secondFormat.
type second struct {
	unix   int64
	prefix [len(secondFormat)]byte
}

func (ts *timestamp) Run(e *zerolog.Event, _ zerolog.Level, _ string) {
	// Quoted here: digits need no escaping, and RawJSON does not look for any.
	var b [len(timeFormat) + 2]byte
	e.RawJSON(zerolog.TimestampFieldName, append(ts.appendTime(append(b[:0], '"'), time.Now()), '"'))
}

// appendTime appends t as t.UTC().AppendFormat(b, timeFormat) does.
func (ts *timestamp) appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	s := ts.second.Load()
	if s == nil || s.unix != t.Unix() {
		if year := t.Year(); year < 0 || year > 9999 {
			return t.AppendFormat(b, timeFormat) // wider than the prefix
		}
		s = &second{unix: t.Unix()}
		copy(s.prefix[:], t.AppendFormat(s.prefix[:0], secondFormat))
		// Lines of two seconds logged at once may swap the cache back and forth; each
		// line still gets its own second.
		ts.second.Store(s)
	}
	b = append(b, s.prefix[:]...)
	b = appendDigits(b, t.Nanosecond()/int(time.Millisecond), 3)
	return append(b, 'Z')
}

// appendDigits appends the last width (at most 4) decimal digits of n >= 0, zero-padded.
func appendDigits(b []byte, n, width int) []byte {
	var d [4]byte
	for i := width - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[:width]...)
}

// RouteStandardLibrary makes the log package and slog's default logger write through l,
// so libraries that use them end up in the same stream. log.Print lines get level info.
// The returned function restores the previous setup.
func RouteStandardLibrary(l zerolog.Logger) (restore func()) {
	prevSlog := slog.Default()
	prevOut, prevFlags, prevPrefix := log.Writer(), log.Flags(), log.Prefix()
	log.SetPrefix("")
	// slog.SetDefault also points the log package at the handler.
	slog.SetDefault(slog.New(zerolog.NewSlogHandler(l)))
	return func() {
		slog.SetDefault(prevSlog)
		log.SetOutput(prevOut)
		log.SetFlags(prevFlags)
		log.SetPrefix(prevPrefix)
	}
}

// StdLogger returns a *log.Logger writing through l at level, for APIs that want one,
// such as http.Server.ErrorLog.
func StdLogger(l zerolog.Logger, level slog.Level) *log.Logger {
	return slog.NewLogLogger(zerolog.NewSlogHandler(l), level)
}

// ServerErrorLog is the http.Server.ErrorLog for l: what the server reports (TLS handshake
// errors, panics it recovered, failed accepts) at warn level.
func ServerErrorLog(l zerolog.Logger) *log.Logger {
	return StdLogger(l, slog.LevelWarn)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
