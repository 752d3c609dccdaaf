package classify

import (
	"testing"

	"github.com/wxaudit/wxaudit/internal/lazyre"
)

// TestRegexpsCompile compiles every detector expression, which the
// package only compiles when a detector first runs.
func TestRegexpsCompile(t *testing.T) {
	if expr, err := lazyre.CompileAll(); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
}

// needSeeds match the expressions declared Needing, or nearly do.
var needSeeds = []string{
	"\tat com.tencent.mm.ui.LauncherUI.onCreate(LauncherUI.java:120)",
	"at a.b.C.d(Unknown Source:4)", "at a.b(Native Method)", "(Native Method)",
	"at render (https://servicewechat.com/app-service.js:1:2345)", "@ onLoad (<anonymous>",
	"TypeError: Cannot read property 'x' of undefined", "ReferenceError: wx is not defined",
	"java.lang.IllegalStateException: closed", "okhttp3.internal.http2.StreamResetException",
	"android.os.DeadObjectError", "net::ERR_CONNECTION_RESET", "Hostname api.weixin.qq.com not verified",
	"javax.net.ssl.SSLHandshakeException", "SSLHandshakeException",
	"RelativeLayout|AppBrandLauncherRecentsList$4|FrameLayout", "arm64-v8a", "abi=armeabi-v7a",
	"x86_64", "armeabi", "at", "Error:", "TypeError:x", "hostname  not verified", "a|b|c",
}

// TestNeedsKeepMatches runs each expression declared Needing on strings it
// matches: the literals must let them through.
func TestNeedsKeepMatches(t *testing.T) {
	for _, c := range []struct {
		re *lazyre.Regexp
		s  []string
	}{
		{reStackFrame, needSeeds[:6]},
		{reJSError, needSeeds[6:8]},
		{reException, needSeeds[8:15]},
		{reViewPath, needSeeds[15:16]},
		{reABI, needSeeds[16:20]},
	} {
		for _, s := range c.s {
			if !c.re.MatchString(s) {
				t.Errorf("%s does not match %q", c.re, s)
			}
		}
	}
	for _, s := range needSeeds {
		if err := lazyre.CheckNeeds(s); err != nil {
			t.Error(err)
		}
	}
}

// FuzzNeedsHold checks the literals every expression is declared Needing:
// a string without one of them must not match the expression itself.
func FuzzNeedsHold(f *testing.F) {
	for _, s := range needSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := lazyre.CheckNeeds(s); err != nil {
			t.Fatal(err)
		}
	})
}
