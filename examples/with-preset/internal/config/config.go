// Package config reads the service's settings from environment variables.
package config

import (
	"errors"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"gitlab.acme.dev/services/with-preset/internal/profiling"
)

// Config holds every setting. .env.example lists the same variables with their defaults;
// keep the two in step.
type Config struct {
	// Port is the HTTP port; 0 picks a free one (tests use that).
	Port int `env:"PORT" envDefault:"8080"`
	// Host is the address to listen on; empty means all interfaces.
	Host string `env:"HOST"`
	// AdminPort serves what must not reach the public port: /metrics and, with
	// Pprof, /debug/pprof/. Nothing routes it from outside the cluster. 0 picks a free port.
	AdminPort int `env:"ADMIN_PORT" envDefault:"9090"`
	// Pprof serves net/http/pprof's profiles on the admin port; only a binary built with
	// -tags pprof has them (package profiling says why).
	Pprof bool `env:"PPROF" envDefault:"false"`

	LogLevel  string `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat string `env:"LOG_FORMAT" envDefault:"json"`

	// ShutdownDelay keeps serving after SIGTERM while readiness reports 503. Kubernetes
	// removes a terminating pod from its Services' endpoints at once, but kube-proxy,
	// ingress controllers and above all cloud load balancers that target pod IPs (AWS
	// ALB/NLB in IP mode, GKE NEGs) take seconds to stop sending new requests; 10s covers
	// them, where 5s was often too short.
	ShutdownDelay time.Duration `env:"SHUTDOWN_DELAY" envDefault:"10s"`
	// ShutdownTimeout bounds the rest of the shutdown: in-flight requests, workers and
	// telemetry. SHUTDOWN_DELAY + SHUTDOWN_TIMEOUT must stay below the pod's
	// terminationGracePeriodSeconds (30s by default), or the kubelet kills the process first.
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"20s"`

	// AutoMaxProcs sets GOMAXPROCS from the CPU limit with go.uber.org/automaxprocs;
	// false (the default, see setMaxProcs for why) leaves GOMAXPROCS to the Go runtime.
	// true needs a service generated with --automaxprocs.
	AutoMaxProcs bool `env:"AUTOMAXPROCS" envDefault:"false"`

	ReadHeaderTimeout time.Duration `env:"READ_HEADER_TIMEOUT" envDefault:"5s"`
	ReadTimeout       time.Duration `env:"READ_TIMEOUT" envDefault:"30s"`
	WriteTimeout      time.Duration `env:"WRITE_TIMEOUT" envDefault:"30s"`
	// RequestTimeout is every request's deadline, carried by r.Context() into the database
	// and outbound calls. It stays below WriteTimeout, so that a handler that ran out of
	// time can still answer (503) before the server cuts the connection, and within the
	// HTTP drain's share of SHUTDOWN_TIMEOUT, so that a drain need not cut requests off.
	RequestTimeout time.Duration `env:"REQUEST_TIMEOUT" envDefault:"10s"`
	// IdleTimeout stays above the idle timeout of load balancers in front (GCP's is 600s,
	// AWS ALB's 60s by default): the side that closes an idle connection first must be the
	// load balancer, or it may send a request on a connection the server is closing (a 502).
	IdleTimeout time.Duration `env:"IDLE_TIMEOUT" envDefault:"620s"`

	// MaxBodyBytes caps a request body: a handler reading more gets an
	// *http.MaxBytesError (answer 413). 1 MiB suits JSON APIs; raise it for uploads.
	MaxBodyBytes int64 `env:"MAX_BODY_BYTES" envDefault:"1048576"`
}

var (
	logLevels  = []string{"trace", "debug", "info", "warn", "error"}
	logFormats = []string{"json", "console"}
)

// expected says what each variable must look like; error messages quote it.
var expected = map[string]string{
	"PORT":                "a port number from 0 to 65535",
	"HOST":                "an IP address or a host name, or empty for all interfaces",
	"ADMIN_PORT":          "a port number from 0 to 65535, other than PORT",
	"PPROF":               "true or false, and true only in a binary built with -tags pprof (make build GO_BUILD_TAGS=pprof)",
	"LOG_LEVEL":           "one of " + strings.Join(logLevels, ", "),
	"LOG_FORMAT":          "one of " + strings.Join(logFormats, ", "),
	"SHUTDOWN_DELAY":      "a duration of 0 or more, like 5s",
	"SHUTDOWN_TIMEOUT":    "a positive duration, like 20s",
	"AUTOMAXPROCS":        "true or false",
	"READ_HEADER_TIMEOUT": "a positive duration, like 5s",
	"READ_TIMEOUT":        "a positive duration, like 30s",
	"WRITE_TIMEOUT":       "a positive duration, like 30s",
	"REQUEST_TIMEOUT":     "a positive duration shorter than WRITE_TIMEOUT, like 10s",
	"IDLE_TIMEOUT":        "a positive duration, like 620s",
	"MAX_BODY_BYTES":      "a size in bytes from 1, like 1048576",
}

// Error is a bad setting: which variable, its value and what was expected.
type Error struct {
	Var   string
	Value string
	Want  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid %s=%q: expected %s", e.Var, e.Value, e.Want)
}

// Load reads the configuration through getenv (os.Getenv in production). An empty
// variable counts as unset. The error, if any, is a *Error.
func Load(getenv func(string) string) (Config, error) {
	var cfg Config
	params, err := env.GetFieldParams(&cfg)
	if err != nil {
		return Config{}, err
	}
	environ := make(map[string]string, len(params))
	for _, p := range params {
		if v := getenv(p.Key); v != "" {
			environ[p.Key] = v
		}
	}
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: environ}); err != nil {
		var perr env.ParseError
		if errors.As(err, &perr) {
			key := envKey(perr.Name)
			return Config{}, &Error{Var: key, Value: environ[key], Want: expected[key]}
		}
		return Config{}, err
	}
	cfg.LogLevel, cfg.LogFormat = strings.ToLower(cfg.LogLevel), strings.ToLower(cfg.LogFormat)
	if key := cfg.invalid(); key != "" {
		return Config{}, &Error{Var: key, Value: environ[key], Want: expected[key]}
	}
	return cfg, nil
}

// Addr is the address to listen on.
func (c Config) Addr() string {
	return net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// AdminAddr is the admin server's address to listen on.
func (c Config) AdminAddr() string {
	return net.JoinHostPort(c.Host, strconv.Itoa(c.AdminPort))
}

// invalid returns the first variable whose value parsed but is out of range, or "".
func (c Config) invalid() string {
	switch {
	case c.Port < 0 || c.Port > 65535:
		return "PORT"
	case !validHost(c.Host):
		return "HOST"
	case c.AdminPort < 0 || c.AdminPort > 65535 || c.AdminPort == c.Port && c.Port != 0:
		return "ADMIN_PORT"
	case c.Pprof && !profiling.Linked:
		return "PPROF"
	case !slices.Contains(logLevels, c.LogLevel):
		return "LOG_LEVEL"
	case !slices.Contains(logFormats, c.LogFormat):
		return "LOG_FORMAT"
	case c.ShutdownDelay < 0:
		return "SHUTDOWN_DELAY"
	case c.ShutdownTimeout <= 0:
		return "SHUTDOWN_TIMEOUT"
	case c.ReadHeaderTimeout <= 0:
		return "READ_HEADER_TIMEOUT"
	case c.ReadTimeout <= 0:
		return "READ_TIMEOUT"
	case c.WriteTimeout <= 0:
		return "WRITE_TIMEOUT"
	case c.RequestTimeout <= 0 || c.RequestTimeout >= c.WriteTimeout:
		return "REQUEST_TIMEOUT"
	case c.IdleTimeout <= 0:
		return "IDLE_TIMEOUT"
	case c.MaxBodyBytes <= 0:
		return "MAX_BODY_BYTES"
	}
	return ""
}

// validHost accepts "" (all interfaces), an IP address or a DNS name.
func validHost(h string) bool {
	if h == "" || net.ParseIP(h) != nil {
		return true
	}
	// All digits and dots is an IPv4 address that did not parse (999.1.1.1), not a name.
	if len(h) > 253 || strings.Trim(h, "0123456789.") == "" {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			switch {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-':
			default:
				return false
			}
		}
	}
	return true
}

// Effective returns every setting by its variable name, for the start-up log. Fields
// tagged redact:"true" (passwords, tokens, URLs with credentials) show as [redacted]
// when set.
func (c Config) Effective() map[string]string {
	return effective(c)
}

// effective lists the env-tagged fields of the struct v.
func effective(v any) map[string]string {
	rv := reflect.ValueOf(v)
	out := make(map[string]string, rv.NumField())
	// VisibleFields includes the fields of embedded structs, with an index path into v.
	for _, f := range reflect.VisibleFields(rv.Type()) {
		key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		if key == "" || f.Anonymous {
			continue
		}
		value := fmt.Sprint(rv.FieldByIndex(f.Index).Interface())
		if f.Tag.Get("redact") == "true" && value != "" {
			value = "[redacted]"
		}
		out[key] = value
	}
	return out
}

// envKey returns the variable behind a Config field: env's parse errors name the field.
func envKey(field string) string {
	f, _ := reflect.TypeFor[Config]().FieldByName(field)
	key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
	return key
}
