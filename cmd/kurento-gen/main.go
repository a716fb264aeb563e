// Command kurento-gen writes a Go package of typed handles for custom
// Kurento modules, from their kmd.json files: for each module one
// <module>_gen.go with its enums, structs, events and handles (constructors with
// checked arguments, options structs, methods, the inherited methods and
// event subscriptions of the classes it extends), in the shape of the
// SDK's built-in packages, plus a Module function to give to
// client.WithModule. The generated code imports only the SDK's public
// packages (client, types, event, element, pipeline, filter, ...).
//
// Usage:
//
//	kurento-gen -o DIR -pkg NAME [-desc FILE]... module.kmd.json...
//
// From a go:generate line in the package directory:
//
//	//go:generate go run github.com/gokurento/kurento/cmd/kurento-gen -pkg chroma chroma.kmd.json
//
// The modules may import the built-in modules core, elements and filters
// and each other. Doc comments take each item's description from the
// files given with -desc (the format of the SDK's own description files,
// internal/idl/descriptions), else from the doc string of the kmd.json
// file, else a short neutral sentence; the members inherited from
// built-in classes carry the SDK's descriptions. Files it wrote before for modules no longer given are
// removed; unchanged files are left untouched. Structs that extend one
// another are refused with an error for now.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/gokurento/kurento/internal/idl"
	"github.com/gokurento/kurento/internal/kmdgen"
)

func main() {
	out := flag.String("o", ".", "output directory (created if missing)")
	pkg := flag.String("pkg", "", "name of the Go package to write (required)")
	flag.Usage = func() {
		_, _ = fmt.Fprintln(flag.CommandLine.Output(), "usage: kurento-gen [-o DIR] -pkg NAME [-desc FILE]... module.kmd.json...")
		flag.PrintDefaults()
	}
	var descFiles []string
	flag.Func("desc", "description `file` of the modules' items, in the format of internal/idl/descriptions (repeatable)", func(p string) error {
		descFiles = append(descFiles, p)
		return nil
	})
	flag.Parse()
	if err := run(*out, *pkg, descFiles, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "kurento-gen:", err)
		os.Exit(1)
	}
}

// moduleDocs gathers the descriptions of the doc comments: the SDK's own
// (for the inherited members of built-in classes), the description files
// given with -desc, and the doc strings of the kmd.json files as a
// fallback.
func moduleDocs(descFiles []string, kmdFiles [][]byte) (*kmdgen.Docs, error) {
	project, err := idl.LoadDescriptions()
	if err != nil {
		return nil, err
	}
	for _, p := range descFiles {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		extra, err := idl.ParseDescriptions(filepath.Base(p), b)
		if err != nil {
			return nil, err
		}
		if project, err = project.Merge(extra); err != nil {
			return nil, err
		}
	}
	return kmdgen.NewDocs(project, kmdFiles...)
}

func run(out, pkg string, descFiles, paths []string) error {
	if pkg == "" {
		return errors.New("-pkg is required")
	}
	if len(paths) == 0 {
		return errors.New("no kmd.json files given")
	}
	files := make([][]byte, 0, len(paths))
	sources := map[string]string{} // module name -> its file, for the headers
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, b)
		var head struct {
			Name string `json:"name"`
		}
		if json.Unmarshal(b, &head) == nil && head.Name != "" {
			sources[head.Name] = filepath.Base(p)
		}
	}
	base := idl.Load()
	facts, err := idl.Extend(base, files...)
	if err != nil {
		return err
	}
	var modules []string
	for _, m := range facts.Modules {
		if !slices.ContainsFunc(base.Modules, func(b idl.Module) bool { return b.Name == m.Name }) {
			modules = append(modules, m.Name)
		}
	}
	docs, err := moduleDocs(descFiles, files)
	if err != nil {
		return err
	}
	gen, err := kmdgen.GenerateModule(kmdgen.ModuleInput{Facts: facts, Pkg: pkg, Modules: modules, Sources: sources, Docs: docs})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	return kmdgen.WriteFiles(out, gen)
}
