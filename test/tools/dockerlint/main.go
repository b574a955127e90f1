// Command dockerlint runs BuildKit's own Dockerfile lint rules (the ones behind
// `docker buildx build --check`) on a Dockerfile without a BuildKit daemon.
//
// Base images are never pulled: a stub image-metadata resolver answers every
// FROM with a minimal Linux image config for the requested platform, whose
// environment holds only PATH (add more with --base-env).
//
//	dockerlint [--build-arg K=V]... [--base-env K=V]... [--target NAME] Dockerfile
//
// Prints one line per finding, "Dockerfile:LINE: RuleName: message", and exits
// 1 when there is any finding (or the Dockerfile does not parse), 0 when clean,
// 2 on usage errors.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// keyValues is a repeatable K=V flag.
type keyValues map[string]string

func (kv keyValues) String() string { return fmt.Sprint(map[string]string(kv)) }

func (kv keyValues) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", s)
	}
	kv[k] = v
	return nil
}

// stubResolver answers image metadata requests without any network access.
type stubResolver struct {
	env []string
}

func (r stubResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	platform := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		platform = *opt.ImageOpt.Platform
	}
	img := ocispecs.Image{
		Platform: platform,
		Config:   ocispecs.ImageConfig{Env: r.env},
		RootFS: ocispecs.RootFS{
			Type:    "layers",
			DiffIDs: []digest.Digest{digest.FromString("stub layer for " + ref)},
		},
	}
	dt, err := json.Marshal(img)
	if err != nil {
		return "", "", nil, err
	}
	return ref, digest.FromBytes(dt), dt, nil
}

func main() {
	os.Exit(run())
}

func run() int {
	buildArgs := keyValues{}
	baseEnv := keyValues{"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	fs := flag.NewFlagSet("dockerlint", flag.ContinueOnError)
	fs.Var(buildArgs, "build-arg", "build argument `KEY=VALUE` (repeatable)")
	fs.Var(baseEnv, "base-env", "environment variable `KEY=VALUE` every stub base image defines (repeatable; PATH is preset)")
	target := fs.String("target", "", "lint only this stage and what it depends on (default: all stages)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: dockerlint [flags] Dockerfile")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	path := fs.Arg(0)
	dt, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dockerlint:", err)
		return 2
	}

	env := make([]string, 0, len(baseEnv))
	for k, v := range baseEnv {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)

	name := filepath.Base(path)
	sourceMap := llb.NewSourceMap(nil, name, "Dockerfile", dt)
	sourceMap.Definition = &llb.Definition{}
	results, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{
		Config: dockerui.Config{
			BuildArgs: buildArgs,
			Target:    *target,
		},
		SourceMap:    sourceMap,
		MetaResolver: stubResolver{env: env},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "dockerlint:", err)
		return 2
	}
	return report(name, results)
}

func report(name string, results *lint.LintResults) int {
	type finding struct {
		line int
		text string
	}
	var findings []finding
	for _, w := range results.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 && w.Location.Ranges[0].Start != nil {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		findings = append(findings, finding{line, fmt.Sprintf("%s:%d: %s: %s", name, line, w.RuleName, w.Detail)})
	}
	if results.Error != nil {
		line := 0
		if len(results.Error.Location.Ranges) > 0 && results.Error.Location.Ranges[0].Start != nil {
			line = int(results.Error.Location.Ranges[0].Start.Line)
		}
		findings = append(findings, finding{line, fmt.Sprintf("%s:%d: BuildError: %s", name, line, results.Error.Message)})
	}
	sort.SliceStable(findings, func(i, j int) bool { return findings[i].line < findings[j].line })
	for _, f := range findings {
		fmt.Println(f.text)
	}
	if len(findings) > 0 {
		return 1
	}
	return 0
}
