// Command composecheck loads a Compose file the way `docker compose config`
// does, with github.com/compose-spec/compose-go/v2: schema validation on,
// interpolation from an env file (the file's directory's .env by default, or
// --env-file), working directory = the file's directory, then normalization and
// consistency checks.
//
//	composecheck [--env-file FILE]... [--os-env] [--print] compose.yaml
//
// Exits 1 with the loader's error when the file is invalid, 0 when valid
// (printing the normalized project as YAML with --print), 2 on usage errors.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

type stringList []string

func (s *stringList) String() string     { return fmt.Sprint([]string(*s)) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	os.Exit(run())
}

func run() int {
	var envFiles stringList
	fs := flag.NewFlagSet("composecheck", flag.ContinueOnError)
	fs.Var(&envFiles, "env-file", "env `FILE` for interpolation (repeatable; default: .env beside the compose file, if any)")
	osEnv := fs.Bool("os-env", false, "also interpolate from this process's environment (off: results do not depend on the caller)")
	printProject := fs.Bool("print", false, "print the normalized project as YAML")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: composecheck [flags] compose.yaml")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	file, err := filepath.Abs(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "composecheck:", err)
		return 2
	}
	if _, err := os.Stat(file); err != nil {
		fmt.Fprintln(os.Stderr, "composecheck:", err)
		return 2
	}

	opts := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithEnvFiles(envFiles...),
	}
	if *osEnv {
		opts = append(opts, cli.WithOsEnv)
	}
	opts = append(opts, cli.WithDotEnv, cli.WithInterpolation(true), cli.WithNormalization(true), cli.WithConsistency(true))

	po, err := cli.NewProjectOptions([]string{file}, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "composecheck:", err)
		return 1
	}
	project, err := po.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "composecheck:", err)
		return 1
	}
	if *printProject {
		out, err := project.MarshalYAML()
		if err != nil {
			fmt.Fprintln(os.Stderr, "composecheck:", err)
			return 1
		}
		os.Stdout.Write(out)
	}
	return 0
}
