package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"github.com/leakproof/leakproof"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/provenance"
	"github.com/leakproof/leakproof/report"
)

// service answers the API. Its fields are set once, before it serves.
type service struct {
	opts    leakproof.Options     // keys and policy; DNS is set per request
	dns     func() dkim.KeySource // a new DNS source for each request; nil: no DNS
	maxBody int64                 // the largest body accepted
	slots   chan struct{}         // one token per request being checked
	timeout time.Duration         // bounds the checking of one request
	active  atomic.Int64          // requests holding a slot, for /healthz
}

// uploadNames are the accepted Content-Types and the name an upload of
// each gets when the client gives none.
var uploadNames = map[string]string{
	"message/rfc822":   "upload.eml",
	"application/mbox": "upload.mbox",
	"application/zip":  "upload.zip",
}

// retryAfter is what a 503 tells the client to wait, in seconds.
const retryAfter = "1"

func (s *service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/verify", s.verify)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("/v1/verify", methodNotAllowed("POST"))
	mux.HandleFunc("/healthz", methodNotAllowed("GET, HEAD"))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: POST /v1/verify checks mail, GET /healthz says whether the service is up")
	})
	return mux
}

func methodNotAllowed(allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed; use %s", r.Method, allow))
	}
}

// writeError answers {"error": msg} with status.
func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func (s *service) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"status": "ok", "in_flight": s.active.Load(), "max_concurrent": cap(s.slots)})
}

func (s *service) verify(w http.ResponseWriter, r *http.Request) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	defaultName, ok := uploadNames[mediaType]
	if err != nil || !ok {
		writeError(w, http.StatusUnsupportedMediaType, "send a message as message/rfc822, an mbox as application/mbox or a zip as application/zip")
		return
	}
	if r.ContentLength > s.maxBody {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", s.maxBody))
		return
	}
	// Take a slot before reading the body: bodies held in memory are then
	// at most cap(slots) times maxBody.
	select {
	case s.slots <- struct{}{}:
	default:
		w.Header().Set("Retry-After", retryAfter)
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("%d requests are being checked; try again shortly", cap(s.slots)))
		return
	}
	s.active.Add(1)
	defer func() { s.active.Add(-1); <-s.slots }()

	body, status, msg := s.readBody(w, r)
	if status != 0 {
		writeError(w, status, msg)
		return
	}
	name := uploadName(r.Header.Get("Content-Disposition"), defaultName)

	ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
	defer cancel()
	opts := s.opts
	if s.dns != nil {
		opts.Check.DNS = s.dns()
	}
	out := &lazyWriter{w: w}
	bw := bufio.NewWriterSize(out, 64<<10)
	jw := report.NewJSONWriter(bw)
	records := 0
	err = leakproof.VerifyReaderAt(ctx, name, bytes.NewReader(body), int64(len(body)), &opts, func(a *provenance.Assessment) error {
		records++
		return jw.Write(a)
	})
	if err == nil {
		err = jw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	switch {
	case err != nil && out.started:
		// Part of the answer is out: cut the connection, so the client
		// cannot take it for the whole.
		panic(http.ErrAbortHandler)
	case err != nil && r.Context().Err() != nil:
		// The client went away: nobody to answer.
	case err != nil:
		writeError(w, http.StatusInternalServerError, "checking the upload: "+err.Error())
	case records == 0:
		writeError(w, http.StatusUnprocessableEntity, "no mail found in the upload: send a message, an mbox, or a zip of them")
	}
}

// readBody reads the whole request body, up to maxBody. On failure it
// returns the status and message to answer with.
func (s *service) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, string) {
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", s.maxBody)
	case err != nil:
		return nil, http.StatusBadRequest, "reading the body: " + err.Error()
	case buf.Len() == 0:
		return nil, http.StatusBadRequest, "the body is empty: send the message, mbox or zip as the body"
	}
	return buf.Bytes(), 0, ""
}

// uploadName returns the name the records carry: the last element of a
// Content-Disposition filename, or def. A name that could pass for a path
// or hold control characters is not taken.
func uploadName(disposition, def string) string {
	_, params, err := mime.ParseMediaType(disposition)
	if err != nil {
		return def
	}
	name := path.Base(strings.ReplaceAll(params["filename"], `\`, "/"))
	if name == "." || name == "/" || name == ".." || name == "" {
		return def
	}
	for _, c := range name {
		if c < 0x20 || c == 0x7f {
			return def
		}
	}
	return name
}

// lazyWriter sends the 200 status and the JSON Lines headers with the
// first bytes of the answer, so that until then an error can still be
// answered with its own status.
type lazyWriter struct {
	w       http.ResponseWriter
	started bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.w.Header().Set("Content-Type", "application/jsonl")
		l.w.Header().Set("X-Content-Type-Options", "nosniff")
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}
