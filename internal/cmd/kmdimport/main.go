// Command kmdimport turns the official Kurento kmd.json files into the
// project's facts file, keeping only facts (names, types, flags, defaults,
// inheritance, events) and dropping every documentation string.
//
// Usage:
//
//	go run ./internal/cmd/kmdimport -o internal/idl/facts.json core.kmd.json elements.kmd.json filters.kmd.json
//
// internal/idl/import.sh fetches the kmd.json files into a temporary
// directory and runs this command; the kmd.json files are never committed.
//
// With -kmd it reduces one module's kmd.json to its facts in kmd.json
// form instead (what cmd/kurento-gen reads), for committing the IDL of a
// custom module used by tests without its documentation:
//
//	go run ./internal/cmd/kmdimport -kmd -o internal/chromatest/chroma.kmd.json chroma.kmd.json
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/gokurento/kurento/internal/idl"
)

func main() {
	out := flag.String("o", "", "write the facts to this file instead of standard output")
	kmd := flag.Bool("kmd", false, "reduce one kmd.json to its facts, keeping the kmd.json form")
	flag.Usage = func() {
		_, _ = fmt.Fprintln(flag.CommandLine.Output(), "usage: kmdimport [-o facts.json] module.kmd.json...\n       kmdimport -kmd [-o facts.kmd.json] module.kmd.json")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(*out, *kmd, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "kmdimport:", err)
		os.Exit(1)
	}
}

func run(out string, kmd bool, paths []string) error {
	if len(paths) == 0 {
		return fmt.Errorf("no kmd.json files given")
	}
	if kmd && len(paths) != 1 {
		return fmt.Errorf("-kmd reduces one kmd.json file, got %d", len(paths))
	}
	files := make([][]byte, 0, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, b)
	}
	convert := convert
	if kmd {
		convert = func(files [][]byte) ([]byte, error) { return idl.StripKMD(files[0]) }
	}
	b, err := convert(files)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(b)
		return err
	}
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, b) {
		return nil // unchanged: keep the file's timestamp
	}
	return os.WriteFile(out, b, 0o644)
}

// convert builds the facts file contents from kmd.json contents.
func convert(files [][]byte) ([]byte, error) {
	f, err := idl.FromKMD(files...)
	if err != nil {
		return nil, err
	}
	return f.Marshal()
}
