// Command modfmt prints what golang.org/x/mod/modfile makes of go.mod files, as JSON, for
// test/unit/gomod.test.ts to hold the TypeScript port in generators/plumbing/gomod.ts to.
//
//	modfmt FILE...   one JSON object per file: {"meaning": {...}, "formatted": "...", "error": "..."}
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/modfile"
)

type require struct {
	Path     string `json:"path"`
	Version  string `json:"version"`
	Indirect bool   `json:"indirect"`
}

type replace struct {
	Old string `json:"old"`
	New string `json:"new"`
}

type meaning struct {
	Module    string    `json:"module"`
	Go        string    `json:"go"`
	Toolchain string    `json:"toolchain"`
	Godebug   []string  `json:"godebug"`
	Require   []require `json:"require"`
	Replace   []replace `json:"replace"`
	Exclude   []string  `json:"exclude"`
	Retract   []string  `json:"retract"`
	Tool      []string  `json:"tool"`
	Ignore    []string  `json:"ignore"`
}

type result struct {
	Meaning   *meaning `json:"meaning,omitempty"`
	Formatted string   `json:"formatted,omitempty"`
	Error     string   `json:"error,omitempty"`
}

func at(path, version string) string {
	if version == "" {
		return path
	}
	return path + "@" + version
}

func describe(f *modfile.File) *meaning {
	m := &meaning{Godebug: []string{}, Require: []require{}, Replace: []replace{}, Exclude: []string{}, Retract: []string{}, Tool: []string{}, Ignore: []string{}}
	if f.Module != nil {
		m.Module = f.Module.Mod.Path
	}
	if f.Go != nil {
		m.Go = f.Go.Version
	}
	if f.Toolchain != nil {
		m.Toolchain = f.Toolchain.Name
	}
	for _, g := range f.Godebug {
		m.Godebug = append(m.Godebug, g.Key+"="+g.Value)
	}
	for _, r := range f.Require {
		m.Require = append(m.Require, require{r.Mod.Path, r.Mod.Version, r.Indirect})
	}
	for _, r := range f.Replace {
		m.Replace = append(m.Replace, replace{at(r.Old.Path, r.Old.Version), at(r.New.Path, r.New.Version)})
	}
	for _, e := range f.Exclude {
		m.Exclude = append(m.Exclude, at(e.Mod.Path, e.Mod.Version))
	}
	for _, r := range f.Retract {
		if r.Low == r.High {
			m.Retract = append(m.Retract, r.Low)
		} else {
			m.Retract = append(m.Retract, "["+r.Low+","+r.High+"]")
		}
	}
	for _, t := range f.Tool {
		m.Tool = append(m.Tool, t.Path)
	}
	for _, i := range f.Ignore {
		m.Ignore = append(m.Ignore, i.Path)
	}
	return m
}

func main() {
	enc := json.NewEncoder(os.Stdout)
	for _, name := range os.Args[1:] {
		data, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		var r result
		f, err := modfile.Parse(name, data, nil)
		if err != nil {
			r.Error = strings.TrimSpace(err.Error())
		} else {
			r.Meaning = describe(f)
			out, ferr := f.Format()
			if ferr != nil {
				r.Error = ferr.Error()
			} else {
				r.Formatted = string(out)
			}
		}
		if err := enc.Encode(r); err != nil {
			os.Exit(2)
		}
	}
}
