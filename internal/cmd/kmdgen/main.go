// Command kmdgen writes the generated Go code of the SDK from the IDL facts
// in internal/idl, with the generator of internal/kmdgen. Each generated package runs it from its doc.go:
//
//	//go:generate go run ../internal/cmd/kmdgen -pkg types
//
// It writes one file per IDL module, <module>_gen.go, into the current
// directory (or -out) and removes *_gen.go files it wrote earlier that no
// longer have a module. Output is deterministic.
//
// Flags:
//
//	-pkg name    package to generate: types, event, element, pipeline,
//	             endpoint, hub or filter
//	-facts file  facts file to read instead of the embedded one
//	-out dir     output directory (default ".")
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gokurento/kurento/internal/idl"
	"github.com/gokurento/kurento/internal/kmdgen"
)

func main() {
	pkg := flag.String("pkg", "", "package to generate: "+kmdgen.PackageList())
	factsFile := flag.String("facts", "", "facts file (default: the facts embedded in internal/idl)")
	out := flag.String("out", ".", "output directory")
	flag.Parse()
	if err := run(*pkg, *factsFile, *out); err != nil {
		fmt.Fprintln(os.Stderr, "kmdgen:", err)
		os.Exit(1)
	}
}

func run(pkg, factsFile, out string) error {
	in, err := kmdgen.Builtin()
	if err != nil {
		return err
	}
	if factsFile != "" {
		in.Source = filepath.ToSlash(factsFile)
		b, err := os.ReadFile(factsFile)
		if err != nil {
			return err
		}
		if in.Facts, err = idl.Parse(b); err != nil {
			return err
		}
	}
	files, err := kmdgen.Generate(in, pkg)
	if err != nil {
		return err
	}
	return kmdgen.WriteFiles(out, files)
}
