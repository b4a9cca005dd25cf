package idempotency

import (
	"bytes"
	"net/http"
)

// Replay writes a stored answer again, marked Idempotent-Replayed.
func (r *Response) Replay(w http.ResponseWriter) {
	w.Header().Set("Content-Type", r.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(r.Status)
	_, _ = w.Write(r.Body)
}

// Recorder passes an answer through and keeps a copy of it, for Finish.
type Recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

// Write sends p and keeps it.
func (r *Recorder) Write(p []byte) (int, error) {
	r.body.Write(p)
	return r.ResponseWriter.Write(p)
}

// Response is what was recorded, under status.
func (r *Recorder) Response(status int) Response {
	return Response{Status: status, ContentType: r.Header().Get("Content-Type"), Body: r.body.Bytes()}
}
