package main

import (
	"context"
	"fmt"
	"io"

	"github.com/example/postgres-tracing/internal/app"
)

const migrateUsage = "migrate takes up, down, status or create NAME"

// migrate checks the migrate command's arguments, then runs it.
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	switch {
	case len(args) == 1 && (args[0] == "up" || args[0] == "down" || args[0] == "status"):
	case len(args) == 2 && args[0] == "create":
	default:
		return fmt.Errorf("%w: %s (try help)", errUsage, migrateUsage)
	}
	return app.Migrate(ctx, args, getenv, stdout)
}
