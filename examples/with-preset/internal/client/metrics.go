package client

import (
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics is the Observer for Prometheus: client-side RED per dependency, counting every
// attempt, retries included.
type Metrics struct {
	attempts *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the client metrics on reg; share one Metrics between clients.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_client_attempts_total",
			Help: "Outbound HTTP attempts, by dependency, method, outcome (status code or error) and whether it was a retry.",
		}, []string{"dependency", "method", "outcome", "retry"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_client_attempt_duration_seconds",
			Help:    "Time from sending an outbound HTTP attempt to its response headers, by dependency and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"dependency", "method"}),
	}
	if err := errors.Join(reg.Register(m.attempts), reg.Register(m.duration)); err != nil {
		return nil, err
	}
	return m, nil
}

// Attempt implements Observer.
func (m *Metrics) Attempt(dependency, method, outcome string, retry bool, elapsed time.Duration) {
	m.attempts.WithLabelValues(dependency, method, outcome, strconv.FormatBool(retry)).Inc()
	m.duration.WithLabelValues(dependency, method).Observe(elapsed.Seconds())
}
