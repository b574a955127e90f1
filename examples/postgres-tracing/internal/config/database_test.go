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
		URL:            "postgres://app@db:5432/app",
		MaxConns:       10,
		ConnectTimeout: 5 * time.Second,
		CheckInterval:  2 * time.Second,
		CheckTimeout:   time.Second,
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
