package hub_test

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/gokurento/kurento/internal/handletest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The set-up every handle package's tests share.
var (
	dial       = handletest.Dial
	lastParams = handletest.LastParams
)
