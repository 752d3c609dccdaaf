package serve

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// contentSecurityPolicy allows the page's own stylesheet and script and
// nothing else: no inline script or style, no plugins, no framing, no
// connection anywhere but this server. Charts are inline SVG whose
// geometry is set by attributes, which the policy does not govern.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// guard wraps h with the server's security rules, applied to every
// response, errors included:
//   - security headers (CSP, nosniff, no referrer, no framing);
//   - a Host header that is not a loopback name (or one of the extra
//     allowed hosts) gets 403, which defeats DNS rebinding: a hostile page
//     whose name resolves to 127.0.0.1 still sends its own name;
//   - only GET and HEAD: the server is read-only.
func guard(h http.Handler, allowed map[string]bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		if !hostAllowed(r.Host, allowed) {
			http.Error(w, "403 forbidden: this server answers only to localhost (Host header "+quoteHost(r.Host)+")", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			hd.Set("Allow", "GET, HEAD")
			http.Error(w, "405 method not allowed: the server is read-only", http.StatusMethodNotAllowed)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// hostAllowed reports whether a Host header names this machine's loopback
// interface (localhost, *.localhost, 127.0.0.0/8, ::1) or an allowed host.
func hostAllowed(host string, allowed map[string]bool) bool {
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.ToLower(strings.TrimSuffix(strings.Trim(name, "[]"), "."))
	if name == "" {
		return false
	}
	if allowed[name] {
		return true
	}
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(name)
	return err == nil && a.Unmap().IsLoopback()
}

// IsLoopback reports whether a listen address binds only loopback
// interfaces.
func IsLoopback(addr string) bool {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if h == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.Unmap().IsLoopback()
}

func quoteHost(h string) string {
	if len(h) > 100 {
		h = h[:100]
	}
	return "\"" + strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, h) + "\""
}
