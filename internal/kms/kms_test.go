package kms_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gokurento/kurento/internal/kms"
)

func TestCodeTable(t *testing.T) {
	t.Parallel()
	seen := map[kms.Code]bool{}
	idents := map[string]bool{}
	codes := kms.Codes()
	require.Len(t, codes, 42)
	for i, c := range codes {
		assert.False(t, seen[c.Code], "code %d twice", c.Code)
		assert.False(t, idents[c.Ident], "ident %s twice", c.Ident)
		seen[c.Code], idents[c.Ident] = true, true
		if i > 0 && !c.Code.IsJSONRPC() {
			assert.Less(t, int(codes[i-1].Code), int(c.Code), "ascending")
		}
		assert.Equal(t, c.Name, c.Code.String())
		assert.Equal(t, c.Wire, c.Code.Wire())
		assert.NotEmpty(t, c.Doc)
		if c.Code.IsJSONRPC() {
			assert.Empty(t, c.Wire)
		}
	}
	assert.Equal(t, "MEDIA_OBJECT_NOT_FOUND", kms.CodeObjectNotFound.String())
	assert.Equal(t, "UNDEFINED", kms.Code(49001).String())
	assert.Equal(t, "UNDEFINED", kms.CodeKmdNotFound.Wire())
	assert.Equal(t, "SERVER_MANAGER_ERROR_KMD_NOT_FOUND", kms.CodeKmdNotFound.String())
}

func TestNaming(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "getSdpMLineIndex", kms.Getter("sdpMLineIndex"))
	assert.Equal(t, "setMaxVideoRecvBandwidth", kms.Setter("maxVideoRecvBandwidth"))
	assert.Equal(t, "newref:3", kms.NewRef(3))
	assert.True(t, kms.IsNewRef("newref:x"))
	assert.False(t, kms.IsNewRef("P_kurento.MediaPipeline"))
	n, ok := kms.CutNewRef("newref:12")
	assert.True(t, ok)
	assert.Equal(t, "12", n)
}
