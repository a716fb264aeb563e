package chromatest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/kurentotest"
)

func TestChromaOnFake(t *testing.T) {
	srv := kurentotest.NewServer(t, kurentotest.WithModule(readKMD(t)))
	scenario(t, srv.URL(), func(id string) {
		require.NoError(t, srv.Emit(id, "Error", map[string]any{
			"errorCode":   3,
			"type":        "UNEXPECTED_ELEMENT_ERROR",
			"description": "Error code 3: Background not loaded",
		}))
	})
}
