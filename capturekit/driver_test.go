package capturekit

import (
	"os"
	"os/exec"
	"testing"
)

// TestDriverPy runs driver.py's unittest suite (testdata/driver_test.py)
// against a fake frida module: spawn-added only queues, the reactor thread
// attaches, WeChat's processes only, fatal errors reported. python3 is
// required when WXAUDIT_REQUIRE_PYTHON is set (.ci/run sets it).
func TestDriverPy(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("WXAUDIT_REQUIRE_PYTHON") != "" {
			t.Fatal("python3 not found and WXAUDIT_REQUIRE_PYTHON is set")
		}
		t.Skip("python3 not found")
	}
	cmd := exec.Command(py, "-m", "unittest", "discover", "-s", "testdata", "-p", "driver_test.py")
	cmd.Env = append(os.Environ(), "DRIVER=driver.py", "PYTHONDONTWRITEBYTECODE=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("python3 -m unittest: %v\n%s", err, b)
	}
}
