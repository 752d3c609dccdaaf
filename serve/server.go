package serve

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wxaudit/wxaudit/decode"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configures the handler.
type Options struct {
	// Reveal shows identifying values in clear; by default they are
	// pseudonymised and coordinates coarsened, as in a shared report.
	Reveal bool
	// AllowedHosts are Host header names accepted besides the loopback
	// ones (for a server deliberately bound to another interface).
	AllowedHosts []string
}

// server holds the handler's state: all read-only after New, except the
// decoder, which learns (request type, path) pairs and so is locked.
type server struct {
	src   Source
	red   *redactor
	pages map[string]*template.Template
	mu    sync.Mutex
	dec   *decode.Decoder
}

// New returns the UI and JSON API over src, wrapped in the security rules
// of guard. It learns the identifying values to hide from src once.
func New(ctx context.Context, src Source, opts Options) (http.Handler, error) {
	known, err := src.Identifying(ctx)
	if err != nil {
		return nil, err
	}
	// A corpus's pseudonyms are those of its shareable Parquet files: the
	// same key, so a pseudonym seen here is found there.
	var key []byte
	if k, ok := src.(interface {
		redactionKey(context.Context) ([]byte, error)
	}); ok {
		if key, err = k.redactionKey(ctx); err != nil {
			return nil, err
		}
	}
	s := &server{src: src, red: newKeyedRedactor(known, key, opts.Reveal), dec: decode.NewDecoder(decode.Options{})}
	s.pages = parsePages()
	allowed := map[string]bool{}
	for _, h := range opts.AllowedHosts {
		allowed[strings.ToLower(strings.Trim(h, "[]"))] = true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.overview)
	mux.HandleFunc("GET /requests", s.requests)
	mux.HandleFunc("GET /requests/{id}", s.request)
	mux.HandleFunc("GET /findings/{id}", s.finding)
	mux.HandleFunc("GET /search", s.search)
	mux.HandleFunc("GET /miniprograms", s.miniprograms)
	mux.HandleFunc("GET /locations", s.locations)
	mux.HandleFunc("GET /gaps", s.gaps)
	mux.HandleFunc("GET /diff", s.diff)
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /export/requests.jsonl", s.exportJSONL)
	mux.HandleFunc("GET /export/requests.csv", s.exportCSV)
	mux.HandleFunc("GET /export/requests/{file}", s.exportRequest)
	mux.HandleFunc("GET /compare", s.compare)
	mux.HandleFunc("GET /api/compare", s.apiCompare)
	mux.HandleFunc("GET /api/runs", s.apiRuns)
	mux.HandleFunc("GET /api/requests", s.apiRequests)
	mux.HandleFunc("GET /api/requests/{id}", s.apiRequest)
	mux.HandleFunc("GET /api/search", s.apiSearch)
	mux.HandleFunc("GET /api/gaps", s.apiGaps)
	mux.HandleFunc("GET /api/miniprograms", s.apiMiniPrograms)
	mux.HandleFunc("GET /api/locations", s.apiLocations)
	mux.HandleFunc("GET /api/diff", s.apiDiff)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.fail(w, r, ErrNotFound) })
	return guard(mux, allowed), nil
}

// Serve serves h on ln until ctx is done, then shuts down gracefully.
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		return nil
	}
}

// writeJSON writes v as the response.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.Encode(v)
}

// fail answers an error: 404 for unknown things, 400 for a bad query,
// 500 otherwise; JSON under /api/, a page elsewhere.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := http.StatusInternalServerError
	var be *badRequest
	switch {
	case errors.Is(err, ErrNotFound):
		code = http.StatusNotFound
	case errors.As(err, &be):
		code = http.StatusBadRequest
	}
	msg := err.Error()
	if code == http.StatusNotFound {
		msg = "not found"
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(map[string]string{"error": msg})
		return
	}
	w.WriteHeader(code)
	s.render(w, "error", &page{Title: http.StatusText(code), Data: msg})
}

// badRequest is a query the user can fix.
type badRequest struct{ err error }

func (b *badRequest) Error() string { return b.err.Error() }
