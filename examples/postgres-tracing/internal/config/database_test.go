package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLoadDatabaseDefaults(t *testing.T) {
	got, err := LoadDatabase(environment(map[string]string{"DATABASE_URL": "postgres://app@db:5432/app"}))
	if err != nil {
		t.Fatalf("LoadDatabase: %v", err)
	}
	want := Database{
		URL:              "postgres://app@db:5432/app",
		MaxConns:         10,
		ConnectTimeout:   5 * time.Second,
		CheckInterval:    2 * time.Second,
		CheckTimeout:     time.Second,
		StatementTimeout: 5 * time.Second,
		Readiness:        "startup",
	}
	if got != want {
		t.Errorf("LoadDatabase() = %+v\nwant %+v", got, want)
	}
	pc, err := got.PoolConfig()
	if err != nil {
		t.Fatal(err)
	}
	if pc.MaxConns != 10 || pc.ConnConfig.ConnectTimeout != 5*time.Second || pc.ConnConfig.Host != "db" {
		t.Errorf("PoolConfig() = max %d, timeout %s, host %q", pc.MaxConns, pc.ConnConfig.ConnectTimeout, pc.ConnConfig.Host)
	}
	if got := pc.ConnConfig.RuntimeParams["statement_timeout"]; got != "5000" {
		t.Errorf("statement_timeout = %q, want 5000 (ms)", got)
	}
}

func TestStatementTimeoutZeroIsOff(t *testing.T) {
	d, err := LoadDatabase(environment(map[string]string{"DATABASE_STATEMENT_TIMEOUT": "0s"}))
	if err != nil {
		t.Fatal(err)
	}
	pc, err := d.PoolConfig()
	if err != nil {
		t.Fatal(err)
	}
	if v, set := pc.ConnConfig.RuntimeParams["statement_timeout"]; set {
		t.Errorf("statement_timeout = %q, want it unset", v)
	}
}

// The start-up log shows every database setting, the URL (which may hold a password) never.
func TestDatabaseEffectiveRedactsTheURL(t *testing.T) {
	d, err := LoadDatabase(environment(map[string]string{"DATABASE_URL": "postgres://app:s3cret@db:5432/app"}))
	if err != nil {
		t.Fatal(err)
	}
	got := d.Effective()
	if got["DATABASE_URL"] != "[redacted]" || got["DATABASE_MAX_CONNS"] != "10" || got["DATABASE_READINESS"] != "startup" {
		t.Errorf("Effective() = %v", got)
	}
	for k, v := range got {
		if strings.Contains(v, "s3cret") {
			t.Errorf("%s shows the password: %q", k, v)
		}
	}
}

func TestLoadDatabaseRejectsBadValuesNamingTheVariable(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		key  string
		hide string
	}{
		{map[string]string{"DATABASE_URL": "postgres://app:s3cret@db:5432/app?sslmode=sometimes"}, "DATABASE_URL", "s3cret"},
		{map[string]string{"DATABASE_URL": "mysql://app:s3cret@db/app"}, "DATABASE_URL", "s3cret"},
		{map[string]string{"DATABASE_URL": "just text s3cret"}, "DATABASE_URL", "s3cret"},
		{map[string]string{"DATABASE_MAX_CONNS": "0"}, "DATABASE_MAX_CONNS", ""},
		{map[string]string{"DATABASE_MAX_CONNS": "many"}, "DATABASE_MAX_CONNS", ""},
		{map[string]string{"DATABASE_CONNECT_TIMEOUT": "-1s"}, "DATABASE_CONNECT_TIMEOUT", ""},
		{map[string]string{"DATABASE_CHECK_INTERVAL": "often"}, "DATABASE_CHECK_INTERVAL", ""},
		{map[string]string{"DATABASE_CHECK_TIMEOUT": "5s"}, "DATABASE_CHECK_TIMEOUT", ""},
		{map[string]string{"DATABASE_STATEMENT_TIMEOUT": "-1s"}, "DATABASE_STATEMENT_TIMEOUT", ""},
		{map[string]string{"DATABASE_READINESS": "sometimes"}, "DATABASE_READINESS", ""},
	} {
		_, err := LoadDatabase(environment(tt.env))
		var cfgErr *Error
		if !errors.As(err, &cfgErr) || cfgErr.Var != tt.key {
			t.Errorf("%v: error %v, want one naming %s", tt.env, err, tt.key)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || (tt.hide != "" && strings.Contains(msg, tt.hide)) {
			t.Errorf("%v: message %q must be one line without the password", tt.env, msg)
		}
	}
}

func TestDatabaseURLPasswordIsMasked(t *testing.T) {
	_, err := LoadDatabase(environment(map[string]string{"DATABASE_URL": "postgres://app:s3cret@db:5432/app?sslmode=sometimes"}))
	if err == nil || !strings.Contains(err.Error(), "postgres://app:xxxxx@db:5432/app") {
		t.Errorf("error = %v, want the URL with its password masked", err)
	}
}
