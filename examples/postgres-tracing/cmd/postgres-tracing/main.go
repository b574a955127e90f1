// Command postgres-tracing: postgres-tracing is a Go service for Kubernetes.
//
// Run without arguments, it serves HTTP until SIGTERM; see usage below for the other
// commands and .env.example for its settings.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/example/postgres-tracing/internal/app"
	"github.com/example/postgres-tracing/internal/buildinfo"
	"github.com/example/postgres-tracing/internal/config"
)

const about = "postgres-tracing is a Go service for Kubernetes."

const usage = `Usage: postgres-tracing [command]

Commands:
  serve         serve HTTP until SIGTERM or SIGINT (the default)
  healthcheck   exit 0 if the server on this machine answers /healthz, else 1
  migrate up    apply the pending database migrations (migrate down: roll back the
                latest one; migrate status: list them; migrate create NAME: add one)
  version       print the version, commit and build date
  help          print this help

Settings come from environment variables; see .env.example.
Exit codes: 0 clean stop, 1 failure, 2 bad settings or usage.
`

// errUsage marks command-line mistakes, which exit with code 2 like bad settings.
var errUsage = errors.New("usage")

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args, os.Getenv, os.Stdout, os.Stderr)))
}

// run is the whole program minus the process: tests call it with their own context,
// arguments, environment and output. Any error it returns it has already printed as one
// line on stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", buildinfo.Service, err)
	}
	return err
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	command := "serve"
	if len(args) > 1 {
		command = args[1]
	}
	if command == "migrate" {
		return migrate(ctx, args[2:], getenv, stdout)
	}
	if len(args) > 2 {
		return fmt.Errorf("%w: %s takes no arguments (try help)", errUsage, command)
	}
	switch command {
	case "serve":
		return app.Serve(ctx, getenv, stdout)
	case "healthcheck":
		return app.Healthcheck(ctx, getenv)
	case "version":
		_, err := fmt.Fprintln(stdout, buildinfo.String())
		return err
	case "help", "-h", "-help", "--help":
		_, err := io.WriteString(stdout, about+"\n\n"+usage)
		return err
	default:
		return fmt.Errorf("%w: unknown command %q (try help)", errUsage, command)
	}
}

// exitCode maps run's error to the process's exit code.
func exitCode(err error) int {
	var cfgErr *config.Error
	switch {
	case err == nil:
		return 0
	case errors.As(err, &cfgErr), errors.Is(err, errUsage):
		return 2
	default:
		return 1
	}
}
