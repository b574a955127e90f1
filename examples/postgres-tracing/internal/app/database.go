package app

import (
	"context"
	"io"
	"maps"

	"github.com/example/postgres-tracing/internal/config"
	"github.com/example/postgres-tracing/internal/database"
)

// loadDatabase reads the DATABASE_* settings and adds them to settings.
func (s *service) loadDatabase(getenv func(string) string, settings map[string]string) error {
	cfg, err := config.LoadDatabase(getenv)
	if err != nil {
		return err
	}
	s.dbConfig = cfg
	maps.Copy(settings, cfg.Effective())
	return nil
}

// useDatabase wires PostgreSQL in: the pool, its readiness check and watcher, and closing
// the pool once the HTTP server has drained and the workers stopped. The example routes
// that use it are in routes.go.
func (s *service) useDatabase() error {
	cfg := s.dbConfig
	db, err := database.Open(cfg, s.logger, s.metrics.Registerer())
	if err != nil {
		return err
	}
	// The check reads the watcher's last ping, so its timeout is never reached. With
	// DATABASE_READINESS=startup it passes for good once the server has answered.
	s.readiness.Add("postgres", cfg.CheckTimeout, db.Check)
	s.workers = append(s.workers, worker{name: "database-watch", run: db.Watch})
	s.closers = append(s.closers, db.Close)
	s.db = db
	return nil
}

// Migrate runs the migrate command: up, down (the latest one), status, or create NAME.
// create needs no database; it writes into internal/database/migrations of the checkout.
func Migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 2 && args[0] == "create" {
		path, err := database.Create(database.MigrationsDir, args[1])
		if err != nil {
			return err
		}
		_, err = io.WriteString(stdout, "created "+path+"\n")
		return err
	}
	cfg, err := config.LoadDatabase(getenv)
	if err != nil {
		return err
	}
	return database.Migrate(ctx, cfg, args[0], stdout)
}
