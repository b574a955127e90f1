package database

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/example/postgres-tracing/internal/config"
)

// The migrations are compiled into the binary: the image that serves is the image that
// migrates, so the schema and the code that expects it ship together.
//
//go:embed migrations/*.sql
var embedded embed.FS

// MigrationsDir is where `migrate create` writes, relative to the repository's root.
const MigrationsDir = "internal/database/migrations"

// Migrations are the embedded migration files.
func Migrations() fs.FS {
	sub, err := fs.Sub(embedded, "migrations")
	if err != nil {
		panic(err) // cannot happen: the directory is embedded
	}
	return sub
}

// Migrate runs one migration command, up, down or status, on a small pool of its own.
func Migrate(ctx context.Context, cfg config.Database, command string, out io.Writer) error {
	pc, err := cfg.PoolConfig()
	if err != nil {
		return err
	}
	pc.MaxConns = 2 // goose's lock holds one connection, the migration uses another
	// A migration may rightly run for minutes (an index on a big table).
	delete(pc.ConnConfig.RuntimeParams, "statement_timeout")
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return err
	}
	defer pool.Close()
	m, err := NewMigrator(pool, Migrations())
	if err != nil {
		return err
	}
	switch command {
	case "up":
		return m.Up(ctx, out)
	case "down":
		return m.Down(ctx, out)
	case "status":
		return m.Status(ctx, out)
	default:
		return fmt.Errorf("unknown migrate command %q", command)
	}
}

// Migrator applies the migrations with goose, holding a PostgreSQL advisory lock so that
// replicas starting together migrate one after the other.
type Migrator struct {
	provider *goose.Provider
}

// NewMigrator prepares the migrations against the pool; it does not touch the database yet.
func NewMigrator(pool *pgxpool.Pool, migrations fs.FS) (*Migrator, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	provider, err := goose.NewProvider(goose.DialectPostgres, stdlib.OpenDBFromPool(pool), migrations,
		goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return &Migrator{provider: provider}, nil
}

// Up applies every pending migration and reports each one on out.
func (m *Migrator) Up(ctx context.Context, out io.Writer) error {
	results, err := m.provider.Up(ctx)
	report(out, results)
	if err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	if len(results) == 0 {
		_, _ = fmt.Fprintln(out, "no pending migrations")
	}
	return nil
}

// Down rolls back the latest applied migration, one only.
func (m *Migrator) Down(ctx context.Context, out io.Writer) error {
	result, err := m.provider.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		_, _ = fmt.Fprintln(out, "no migration to roll back")
		return nil
	}
	if result != nil {
		report(out, []*goose.MigrationResult{result})
	}
	if err != nil {
		return fmt.Errorf("migrate down: %w", err)
	}
	return nil
}

// Status lists every migration with whether and when it was applied.
func (m *Migrator) Status(ctx context.Context, out io.Writer) error {
	statuses, err := m.provider.Status(ctx)
	if err != nil {
		return fmt.Errorf("migrate status: %w", err)
	}
	for _, s := range statuses {
		applied := "pending"
		if s.State == goose.StateApplied {
			applied = "applied " + s.AppliedAt.UTC().Format(time.RFC3339)
		}
		_, _ = fmt.Fprintf(out, "%-30s %s\n", filepath.Base(s.Source.Path), applied)
	}
	return nil
}

func report(out io.Writer, results []*goose.MigrationResult) {
	for _, r := range results {
		_, _ = fmt.Fprintf(out, "%s %s (%s)\n", r.Direction, filepath.Base(r.Source.Path), r.Duration.Round(time.Millisecond))
	}
}

var migrationName = regexp.MustCompile(`^[a-z0-9_]{1,60}$`)

// Create writes the next numbered migration file into dir and returns its path.
func Create(dir, name string) (string, error) {
	if !migrationName.MatchString(name) {
		return "", fmt.Errorf("migration name %q: use lower-case letters, digits and _, at most 60", name)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("%w (run migrate create from the repository's root)", err)
	}
	next := int64(1)
	for _, e := range entries {
		if v, err := goose.NumericComponent(e.Name()); err == nil && v >= next {
			next = v + 1
		}
	}
	path := filepath.Join(dir, fmt.Sprintf("%05d_%s.sql", next, name))
	body := "-- +goose Up\n\n-- +goose Down\n"
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	if _, err := io.WriteString(f, body); err != nil {
		_ = f.Close()
		return "", err
	}
	return path, f.Close()
}
