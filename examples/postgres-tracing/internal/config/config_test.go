package config

import (
	"errors"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/example/postgres-tracing/internal/profiling"
)

// environment returns a getenv that knows only the given variables.
func environment(vars map[string]string) func(string) string {
	return func(key string) string { return vars[key] }
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(environment(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Port:              8080,
		AdminPort:         9090,
		LogLevel:          "info",
		LogFormat:         "json",
		ShutdownDelay:     10 * time.Second,
		ShutdownTimeout:   20 * time.Second,
		AutoMaxProcs:      false,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		RequestTimeout:    10 * time.Second,
		IdleTimeout:       620 * time.Second,
		MaxBodyBytes:      1 << 20,
	}
	if cfg != want {
		t.Errorf("Load() = %+v\nwant %+v", cfg, want)
	}
	if got, want := cfg.Addr(), ":8080"; got != want {
		t.Errorf("Addr() = %q, want %q", got, want)
	}
}

func TestLoadReadsEveryVariable(t *testing.T) {
	cfg, err := Load(environment(map[string]string{
		"PORT":                "9999",
		"HOST":                "::1",
		"ADMIN_PORT":          "9998",
		"PPROF":               strconv.FormatBool(profiling.Linked),
		"LOG_LEVEL":           "debug",
		"LOG_FORMAT":          "console",
		"SHUTDOWN_DELAY":      "0s",
		"SHUTDOWN_TIMEOUT":    "1m",
		"AUTOMAXPROCS":        "true",
		"READ_HEADER_TIMEOUT": "1s",
		"READ_TIMEOUT":        "2s",
		"WRITE_TIMEOUT":       "3s",
		"REQUEST_TIMEOUT":     "2500ms",
		"IDLE_TIMEOUT":        "4s",
		"MAX_BODY_BYTES":      "5",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Port:              9999,
		Host:              "::1",
		AdminPort:         9998,
		Pprof:             profiling.Linked,
		LogLevel:          "debug",
		LogFormat:         "console",
		ShutdownDelay:     0,
		ShutdownTimeout:   time.Minute,
		AutoMaxProcs:      true,
		ReadHeaderTimeout: time.Second,
		ReadTimeout:       2 * time.Second,
		WriteTimeout:      3 * time.Second,
		RequestTimeout:    2500 * time.Millisecond,
		IdleTimeout:       4 * time.Second,
		MaxBodyBytes:      5,
	}
	if cfg != want {
		t.Errorf("Load() = %+v\nwant %+v", cfg, want)
	}
	if got, want := cfg.Addr(), "[::1]:9999"; got != want {
		t.Errorf("Addr() = %q, want %q", got, want)
	}
	if got, want := cfg.AdminAddr(), "[::1]:9998"; got != want {
		t.Errorf("AdminAddr() = %q, want %q", got, want)
	}
}

// PPROF=true needs a binary that has the profiles: without -tags pprof the service would
// start without what was asked for, so it stops and names the tag.
func TestPprofNeedsABuildWithIt(t *testing.T) {
	cfg, err := Load(environment(map[string]string{"PPROF": "true"}))
	if profiling.Linked {
		if err != nil || !cfg.Pprof {
			t.Fatalf("Load(PPROF=true) in a build with -tags pprof = %+v, %v", cfg, err)
		}
		return
	}
	var cfgErr *Error
	if !errors.As(err, &cfgErr) || cfgErr.Var != "PPROF" || !strings.Contains(cfgErr.Want, "-tags pprof") {
		t.Fatalf("Load(PPROF=true) without -tags pprof: error = %v, want a *config.Error naming PPROF and -tags pprof", err)
	}
}

func TestLoadTreatsEmptyAsUnset(t *testing.T) {
	cfg, err := Load(environment(map[string]string{"PORT": "", "LOG_LEVEL": ""}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Port != 8080 || cfg.LogLevel != "info" {
		t.Errorf("empty variables did not fall back to defaults: %+v", cfg)
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		key, value, want string
	}{
		{"PORT", "abc", "a port number"},
		{"PORT", "70000", "a port number"},
		{"PORT", "-1", "a port number"},
		{"ADMIN_PORT", "70000", "a port number from 0 to 65535, other than PORT"},
		{"ADMIN_PORT", "8080", "other than PORT"},
		{"PPROF", "yes", "true or false"},
		{"HOST", "not a host!", "an IP address or a host name"},
		{"HOST", "0.0.0.0:80", "an IP address or a host name"},
		{"MAX_BODY_BYTES", "-1", "a size in bytes"},
		{"LOG_LEVEL", "loud", "one of trace, debug, info, warn, error"},
		{"LOG_FORMAT", "xml", "one of json, console"},
		{"SHUTDOWN_DELAY", "5", "a duration"},
		{"SHUTDOWN_DELAY", "-1s", "a duration"},
		{"SHUTDOWN_TIMEOUT", "0s", "a positive duration"},
		{"AUTOMAXPROCS", "maybe", "true or false"},
		{"READ_HEADER_TIMEOUT", "soon", "a positive duration"},
		{"READ_TIMEOUT", "0", "a positive duration"},
		{"WRITE_TIMEOUT", "-3s", "a positive duration"},
		{"REQUEST_TIMEOUT", "0s", "a positive duration shorter than WRITE_TIMEOUT"},
		// A deadline as long as WriteTimeout leaves the handler no time to answer 503.
		{"REQUEST_TIMEOUT", "30s", "a positive duration shorter than WRITE_TIMEOUT"},
		{"HOST", "999.1.1.1", "an IP address or a host name"},
		{"IDLE_TIMEOUT", "1 minute", "a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.key+"="+tt.value, func(t *testing.T) {
			_, err := Load(environment(map[string]string{tt.key: tt.value}))
			var cfgErr *Error
			if !errors.As(err, &cfgErr) {
				t.Fatalf("Load() error = %v, want a *config.Error", err)
			}
			if cfgErr.Var != tt.key || cfgErr.Value != tt.value {
				t.Errorf("error names %s=%q, want %s=%q", cfgErr.Var, cfgErr.Value, tt.key, tt.value)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.key) || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line naming %s and %q", msg, tt.key, tt.want)
			}
		})
	}
}

func TestEffectiveNamesEveryVariableAndRedactsSecrets(t *testing.T) {
	cfg, err := Load(environment(map[string]string{"PORT": "9999", "SHUTDOWN_DELAY": "7s"}))
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Effective()
	if got["PORT"] != "9999" || got["SHUTDOWN_DELAY"] != "7s" || got["LOG_LEVEL"] != "info" {
		t.Errorf("Effective() = %v", got)
	}
	if params, _ := env.GetFieldParams(&cfg); len(got) != len(params) {
		t.Errorf("Effective() has %d variables, the Config %d", len(got), len(params))
	}
	secret := struct {
		User     string `env:"DB_USER"`
		Password string `env:"DB_PASSWORD" redact:"true"`
		Token    string `env:"TOKEN" redact:"true"`
	}{User: "app", Password: "hunter2"}
	want := map[string]string{"DB_USER": "app", "DB_PASSWORD": "[redacted]", "TOKEN": ""}
	if got := effective(secret); !maps.Equal(got, want) {
		t.Errorf("effective() = %v, want %v", got, want)
	}
}

// Settings grouped in an embedded struct are named by their own variables, and a secret
// among them is never shown, whatever the fields before it.
func TestEffectiveReadsEmbeddedStructs(t *testing.T) {
	type Credentials struct {
		User     string `env:"DB_USER"`
		Password string `env:"DB_PASSWORD" redact:"true"`
	}
	v := struct {
		Name string `env:"NAME"`
		Credentials
		Port int `env:"DB_PORT"`
	}{Name: "svc", Credentials: Credentials{User: "app", Password: "hunter2"}, Port: 5432}
	want := map[string]string{"NAME": "svc", "DB_USER": "app", "DB_PASSWORD": "[redacted]", "DB_PORT": "5432"}
	if got := effective(v); !maps.Equal(got, want) {
		t.Errorf("effective() = %v, want %v", got, want)
	}
}

func TestLogLevelAndFormatIgnoreCase(t *testing.T) {
	cfg, err := Load(environment(map[string]string{"LOG_LEVEL": "DEBUG", "LOG_FORMAT": "Console"}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.LogLevel != "debug" || cfg.LogFormat != "console" {
		t.Errorf("LogLevel, LogFormat = %q, %q; want debug, console", cfg.LogLevel, cfg.LogFormat)
	}
}

func TestHostAcceptsAddressesAndNames(t *testing.T) {
	for _, host := range []string{"", "127.0.0.1", "::1", "0.0.0.0", "localhost", "api.internal"} {
		if _, err := Load(environment(map[string]string{"HOST": host})); err != nil {
			t.Errorf("HOST=%q: %v", host, err)
		}
	}
}
