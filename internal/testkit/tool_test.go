package testkit

import (
	"runtime"
	"testing"
)

// TestToolRequired checks that a missing program fails the test when its
// variable is set, and skips it otherwise.
func TestToolRequired(t *testing.T) {
	const missing = "wxaudit-no-such-program"
	for _, tc := range []struct {
		name        string
		env         string
		wantFailed  bool
		wantSkipped bool
	}{
		{"required", "1", true, false},
		{"not required", "", false, true},
		{"other value", "0", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(RequireTsharkEnv, tc.env)
			r := &recorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				Tool(r, missing, RequireTsharkEnv)
			}()
			<-done
			if r.failed != tc.wantFailed || r.skipped != tc.wantSkipped {
				t.Errorf("failed %v skipped %v, want failed %v skipped %v", r.failed, r.skipped, tc.wantFailed, tc.wantSkipped)
			}
		})
	}
	if p := Tool(t, "sh"); p == "" {
		t.Error("sh: empty path")
	}
}

// recorder is a testing.TB whose Fatalf and Skipf record the call and end
// the goroutine, as the real ones do.
type recorder struct {
	testing.TB
	failed, skipped bool
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	runtime.Goexit()
}
func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = true
	runtime.Goexit()
}
