package keylog

import (
	"testing"

	"github.com/wxaudit/wxaudit/internal/testkit"
)

// TestAPI keeps the exported surface in testdata/api.txt: a new exported
// name is a deliberate edit of that file (go test -run TestAPI -update).
func TestAPI(t *testing.T) {
	testkit.Golden(t, "testdata/api.txt", testkit.API(t, "."), *update)
}
