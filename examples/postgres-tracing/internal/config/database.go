package config

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Database holds the PostgreSQL settings. .env.example lists them with their defaults.
type Database struct {
	// URL is a libpq connection string: postgres://user:password@host:5432/dbname?sslmode=require
	// or "host=... user=...". Unset, the standard PGHOST, PGPORT, PGUSER, PGPASSWORD and
	// PGDATABASE variables apply, as for psql. It may hold a password: never log it.
	URL string `env:"DATABASE_URL" redact:"true"`
	// MaxConns caps the pool; mind the server's max_connections across all replicas.
	MaxConns int32 `env:"DATABASE_MAX_CONNS" envDefault:"10"`
	// ConnectTimeout bounds each new connection, so a dead server fails fast.
	ConnectTimeout time.Duration `env:"DATABASE_CONNECT_TIMEOUT" envDefault:"5s"`
	// CheckInterval is how often the readiness watcher pings the server; probes read the
	// last result, so frequent probes never turn into frequent queries.
	CheckInterval time.Duration `env:"DATABASE_CHECK_INTERVAL" envDefault:"2s"`
	// CheckTimeout bounds each ping; a slower answer counts as down.
	CheckTimeout time.Duration `env:"DATABASE_CHECK_TIMEOUT" envDefault:"1s"`
	// StatementTimeout is PostgreSQL's statement_timeout for the pool's sessions: the
	// server ends a statement that runs longer, even one whose client has gone. 0 turns
	// it off. Keep it below REQUEST_TIMEOUT, so that the database gives up first and the
	// handler can still answer. Migrations run without it.
	StatementTimeout time.Duration `env:"DATABASE_STATEMENT_TIMEOUT" envDefault:"5s"`
	// Readiness says what an unreachable server does to /ready: "startup" (the pod is
	// ready once the server has answered; later outages keep it in the Service and
	// database routes fail fast with 503) or "always" (/ready fails while the server does
	// not answer). The README's Database section says why startup is the default.
	Readiness string `env:"DATABASE_READINESS" envDefault:"startup"`
}

// The values of DATABASE_READINESS.
const (
	ReadinessStartup = "startup"
	ReadinessAlways  = "always"
)

var databaseExpected = map[string]string{
	"DATABASE_URL":               "a PostgreSQL URL like postgres://user:password@host:5432/dbname",
	"DATABASE_MAX_CONNS":         "a number of connections from 1 to 1000",
	"DATABASE_CONNECT_TIMEOUT":   "a positive duration, like 5s",
	"DATABASE_CHECK_INTERVAL":    "a positive duration, like 2s",
	"DATABASE_CHECK_TIMEOUT":     "a positive duration no longer than DATABASE_CHECK_INTERVAL, like 1s",
	"DATABASE_STATEMENT_TIMEOUT": "a duration of 0 (off) or more, like 5s",
	"DATABASE_READINESS":         "startup or always",
}

// LoadDatabase reads the database settings through getenv, like Load. A bad DATABASE_URL
// is reported with its password masked.
func LoadDatabase(getenv func(string) string) (Database, error) {
	var db Database
	environ := make(map[string]string, len(databaseExpected))
	for key := range databaseExpected {
		if v := getenv(key); v != "" {
			environ[key] = v
		}
	}
	if err := env.ParseWithOptions(&db, env.Options{Environment: environ}); err != nil {
		var perr env.ParseError
		if errors.As(err, &perr) {
			f, _ := reflect.TypeFor[Database]().FieldByName(perr.Name)
			key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
			return Database{}, &Error{Var: key, Value: environ[key], Want: databaseExpected[key]}
		}
		return Database{}, err
	}
	if key := db.invalid(); key != "" {
		value := environ[key]
		if key == "DATABASE_URL" {
			value = maskPassword(value)
		}
		return Database{}, &Error{Var: key, Value: value, Want: databaseExpected[key]}
	}
	return db, nil
}

// PoolConfig is the pgx pool configuration for these settings.
func (d Database) PoolConfig() (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig(d.URL)
	if err != nil {
		// pgx's message may quote the URL; the caller gets only the variable's name.
		return nil, fmt.Errorf("invalid DATABASE_URL: %s", databaseExpected["DATABASE_URL"])
	}
	pc.MaxConns = d.MaxConns
	pc.ConnConfig.ConnectTimeout = d.ConnectTimeout
	if d.StatementTimeout > 0 {
		// Sent with each new connection's start-up packet: no extra round trip.
		pc.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(d.StatementTimeout.Milliseconds(), 10)
	}
	return pc, nil
}

// Effective returns every setting by its variable name, DATABASE_URL redacted, for the
// start-up log.
func (d Database) Effective() map[string]string {
	return effective(d)
}

// invalid returns the first variable whose value parsed but is out of range, or "".
func (d Database) invalid() string {
	switch {
	case !validURL(d.URL):
		return "DATABASE_URL"
	case d.MaxConns < 1 || d.MaxConns > 1000:
		return "DATABASE_MAX_CONNS"
	case d.ConnectTimeout <= 0:
		return "DATABASE_CONNECT_TIMEOUT"
	case d.CheckInterval <= 0:
		return "DATABASE_CHECK_INTERVAL"
	case d.CheckTimeout <= 0 || d.CheckTimeout > d.CheckInterval:
		return "DATABASE_CHECK_TIMEOUT"
	case d.StatementTimeout < 0:
		return "DATABASE_STATEMENT_TIMEOUT"
	case d.Readiness != ReadinessStartup && d.Readiness != ReadinessAlways:
		return "DATABASE_READINESS"
	}
	return ""
}

func validURL(s string) bool {
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		if u, err := url.Parse(s); err != nil || (u.Host == "" && u.Path == "") {
			return false
		}
	} else if s != "" && !strings.Contains(s, "=") {
		return false // neither a URL nor key=value pairs
	}
	_, err := pgxpool.ParseConfig(s)
	return err == nil
}

// maskPassword hides the password of a URL; a value that is no URL is hidden whole, since
// where its password is cannot be told.
func maskPassword(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return "(not shown: it may hold a password)"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
