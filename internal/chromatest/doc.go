// Package chromatest proves cmd/kurento-gen on a real custom module:
// Kurento's example module chroma, whose IDL is committed here reduced to
// its facts (chroma.kmd.json, made with
// `go run ./internal/cmd/kmdimport -kmd -o internal/chromatest/chroma.kmd.json chroma.kmd.json`
// from the module's kmd.json). Subpackage chroma is generated from it; the
// tests of this package run the same scenario against the fake and, with
// the integration build tag, against a KMS that loads the module.
package chromatest
