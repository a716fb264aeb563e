package client_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gokurento/kurento/client"
)

func TestCodeOf(t *testing.T) {
	t.Parallel()
	_, ok := client.CodeOf(client.ErrConnectionLost)
	assert.False(t, ok, "a local failure holds no code")
	_, ok = client.CodeOf(nil)
	assert.False(t, ok)

	wrapped := &client.OpError{Method: "invoke", Operation: "getName", ObjectID: "o", Err: client.ErrObjectNotFound}
	code, ok := client.CodeOf(fmt.Errorf("context: %w", wrapped))
	assert.True(t, ok)
	assert.Equal(t, client.CodeObjectNotFound, code)
	assert.Equal(t, "MEDIA_OBJECT_NOT_FOUND", code.String())
	assert.Equal(t, "kurento: invoke getName on o: MEDIA_OBJECT_NOT_FOUND (40101)", wrapped.Error())

	code, ok = client.CodeOf(&client.TxError{Index: 2, Method: "create", Class: "Nope", Err: client.ErrNotAvailable})
	assert.True(t, ok)
	assert.Equal(t, client.CodeNotAvailable, code)
}

func TestCodeString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "INVALID_REQUEST", client.CodeJSONRPCInvalidRequest.String())
	assert.Equal(t, "SERVER_MANAGER_ERROR_KMD_NOT_FOUND", client.CodeKmdNotFound.String())
	assert.Equal(t, "UNDEFINED", client.Code(49001).String())
	custom := &client.Error{Code: 49001, Type: "MY_MODULE_ERROR", Message: "m"}
	assert.Equal(t, "kurento: MY_MODULE_ERROR (49001): m", custom.Error())
	assert.ErrorIs(t, &client.Error{Code: 40101, Message: "gone"}, client.ErrObjectNotFound)
}
