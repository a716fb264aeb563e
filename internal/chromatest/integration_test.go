//go:build integration

package chromatest_test

import (
	"os"
	"testing"
)

// TestChromaOnKMS needs a KMS that loads the chroma module:
//
//	KMS_EXTRA_MODULES=chroma kms.sh start PORT
//	KURENTO_URL_CHROMA=ws://127.0.0.1:PORT/kurento go test -tags integration ./internal/chromatest/
func TestChromaOnKMS(t *testing.T) {
	url := os.Getenv("KURENTO_URL_CHROMA")
	if url == "" {
		t.Skip("KURENTO_URL_CHROMA not set: needs a KMS started with KMS_EXTRA_MODULES=chroma")
	}
	scenario(t, url, func(string) {})
}
