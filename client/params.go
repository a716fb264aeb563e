package client

import (
	"errors"
	"fmt"

	"github.com/gokurento/kurento/internal/kms"
)

// req is one Kurento request: its params (encoded by internal/kms) and the
// session generation its target objects belong to. The params are encoded
// straight into the frame when it is written, with the session id current
// at that moment, and a request bound to a lost session fails before the
// wire.
type req struct {
	c   *Client
	gen uint64 // session generation the target objects belong to; 0: any
	kms.Params
}

func (r *req) AppendParams(b []byte) ([]byte, error) {
	s := r.c.sess.Load()
	if r.gen != 0 && r.gen != s.gen {
		return b, ErrSessionLost
	}
	b, err := r.Append(b, s.id)
	return b, paramsError(err)
}

// paramsError makes params that could not be encoded a refused argument.
func paramsError(err error) error {
	if errors.Is(err, kms.ErrPayload) {
		return fmt.Errorf("%w: encoding params: %w", ErrInvalidArgument, err)
	}
	return err
}
