// Package chroma holds the typed handles of Kurento's example module
// chroma (ChromaFilter and WindowParam), written by cmd/kurento-gen from
// ../chroma.kmd.json exactly as a user of the SDK would generate the
// package of their own module.
package chroma

//go:generate go run ../../../cmd/kurento-gen -pkg chroma ../chroma.kmd.json
