// Package pointerdetector holds the typed handles and events of Kurento's
// example module pointerdetector (PointerDetectorFilter, its structs and
// the WindowIn and WindowOut events), written by cmd/kurento-gen from
// ../pointerdetector.kmd.json. The tests of package chromatest drive it
// against the fake: the KMS of CI loads only chroma.
package pointerdetector

//go:generate go run ../../../cmd/kurento-gen -pkg pointerdetector ../pointerdetector.kmd.json
