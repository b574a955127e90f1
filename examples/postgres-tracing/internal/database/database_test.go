package database

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/example/postgres-tracing/internal/config"
)

// testConfig points at TEST_DATABASE_URL, a database the tests may change; the tests that
// need a server skip without it. `make test-db` runs them against compose.yaml's database.
func testConfig(t *testing.T, url string) config.Database {
	t.Helper()
	cfg, err := config.LoadDatabase(func(key string) string {
		switch key {
		case "DATABASE_URL":
			return url
		case "DATABASE_CHECK_INTERVAL":
			return "50ms"
		case "DATABASE_CHECK_TIMEOUT":
			return "50ms"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func open(t *testing.T, cfg config.Database) *DB {
	t.Helper()
	db, err := Open(cfg, zerolog.Nop(), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return db
}

// watch runs the watcher until the test ends and waits until Check returns something
// other than "not checked yet".
func watch(t *testing.T, db *DB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = db.Watch(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if err := db.Check(ctx); !errors.Is(err, errNotChecked) {
			return
		}
	}
	t.Fatal("the watcher never pinged")
}

func TestServerDownIsNotReadyAndNoStartupFailure(t *testing.T) {
	// Nothing listens on port 1: Open must still succeed, the check must fail.
	db := open(t, testConfig(t, "postgres://app@127.0.0.1:1/app?connect_timeout=1"))
	if err := db.Check(context.Background()); !errors.Is(err, errNotChecked) {
		t.Errorf("Check before the first ping = %v, want %v", err, errNotChecked)
	}
	watch(t, db)
	if err := db.Check(context.Background()); err == nil {
		t.Error("Check = nil with no server, want an error")
	}
	// The notes fail fast on the watcher's known state, without dialling.
	if _, err := (Notes{DB: db}).Get(context.Background(), 1); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Get with the server down = %v, want ErrUnavailable", err)
	}
}

func TestWithServer(t *testing.T) {
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		t.Skip("TEST_DATABASE_URL is not set")
	}
	ctx := context.Background()
	cfg := testConfig(t, url)
	var out bytes.Buffer
	for _, command := range []string{"up", "status", "down", "status", "up"} {
		if err := Migrate(ctx, cfg, command, &out); err != nil {
			t.Fatalf("migrate %s: %v\n%s", command, err, &out)
		}
	}
	if !strings.Contains(out.String(), "00001_create_notes.sql") {
		t.Errorf("migrate output does not name the migration:\n%s", &out)
	}

	db := open(t, cfg)
	watch(t, db)
	// The first ping opens a connection and may miss its short timeout on a busy machine;
	// readiness follows the next ping that answers.
	err := db.Check(ctx)
	for deadline := time.Now().Add(5 * time.Second); err != nil && time.Now().Before(deadline); err = db.Check(ctx) {
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("Check = %v, want nil with the server up", err)
	}

	notes := Notes{DB: db}
	added, err := notes.Add(ctx, "hello from the test")
	if err != nil {
		t.Fatal(err)
	}
	got, err := notes.Get(ctx, added.ID)
	if err != nil || got.Body != "hello from the test" || got.CreatedAt.IsZero() {
		t.Errorf("Get(%d) = %+v, %v", added.ID, got, err)
	}
	if _, err := notes.Get(ctx, added.ID+1_000_000); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
	latest, err := notes.Latest(ctx, 1)
	if err != nil || len(latest) != 1 || latest[0].ID != added.ID {
		t.Errorf("Latest(1) = %+v, %v", latest, err)
	}

	t.Run("a saturated pool is not a database down", func(t *testing.T) {
		cfg := cfg
		cfg.MaxConns = 1
		// A bound, not a wait: a new connection may take a while on a loaded machine.
		cfg.CheckInterval, cfg.CheckTimeout = 10*time.Second, 10*time.Second
		db := open(t, cfg)
		held, err := db.Pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer held.Release()
		// Every pool connection is taken: the ping must not queue for one.
		conn := db.ping(ctx, nil)
		if conn == nil {
			t.Fatalf("ping with the pool saturated failed: %v", db.Available())
		}
		defer conn.Close(ctx)
		if err := db.Check(ctx); err != nil {
			t.Errorf("Check with the pool saturated = %v, want nil", err)
		}
	})

	t.Run("DATABASE_READINESS: startup stays ready through an outage, always does not", func(t *testing.T) {
		for _, mode := range []string{config.ReadinessStartup, config.ReadinessAlways} {
			cfg := cfg
			cfg.Readiness = mode
			cfg.CheckInterval, cfg.CheckTimeout = 10*time.Second, 10*time.Second
			db := open(t, cfg)
			if err := db.Check(ctx); err == nil {
				t.Errorf("%s: ready before the first ping", mode)
			}
			if conn := db.ping(ctx, nil); conn != nil {
				_ = conn.Close(ctx)
			}
			if err := db.Check(ctx); err != nil {
				t.Fatalf("%s: Check with the server up = %v", mode, err)
			}
			down := errors.New("connection refused")
			db.state.Store(&down) // as the next failed ping would
			err := db.Check(ctx)
			if (mode == config.ReadinessStartup) != (err == nil) {
				t.Errorf("%s: Check during an outage = %v", mode, err)
			}
			if err := db.Available(); !errors.Is(err, ErrUnavailable) {
				t.Errorf("%s: Available during an outage = %v, want ErrUnavailable", mode, err)
			}
		}
	})
}

func TestCreateNumbersMigrations(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "00007_old.sql"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	path, err := Create(dir, "add_index")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "00008_add_index.sql" {
		t.Errorf("Create wrote %s, want 00008_add_index.sql", path)
	}
	if _, err := Create(dir, "Bad Name"); err == nil {
		t.Error("Create accepted a name with a space")
	}
}

func TestEmbeddedMigrationsAreNumbered(t *testing.T) {
	entries, err := embedded.ReadDir("migrations")
	if err != nil || len(entries) == 0 {
		t.Fatalf("embedded migrations: %v (%d files)", err, len(entries))
	}
}
