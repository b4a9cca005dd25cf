package mock

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/sse"
)

// maxRequestBytes bounds a request body the handler reads.
const maxRequestBytes = 8 << 20

// Handler returns the HTTP handler of a default Mock (no delays, no faults,
// no key), for the local stack and peer-gateway benchmarks.
func Handler() http.Handler {
	m, _ := New(Options{}) // zero options are always valid
	return m.Handler()
}

// Handler serves m's behaviour as an OpenAI-compatible upstream:
//
//	POST /v1/chat/completions
//	POST /openai/deployments/{deployment}/chat/completions?api-version=…  (Azure)
//	GET  /v1/models
//
// Streams end with "data: [DONE]" and carry the usage chunk only when the
// client asked for it with stream_options.include_usage, as OpenAI does.
func (m *Mock) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		m.serveChat(w, r, "")
	})
	mux.HandleFunc("POST /openai/deployments/{deployment}/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("api-version") == "" {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Missing the api-version query parameter.", 0)
			return
		}
		m.serveChat(w, r, r.PathValue("deployment"))
	})
	mux.HandleFunc("GET /v1/models", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, chat.ModelList{Object: "list", Data: m.Models()})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "invalid_request_error", "unknown_url", "Invalid URL.", 0)
	})
	return m.authorize(mux)
}

// authorize checks Options.APIKey, sent as a Bearer token or an api-key
// header. The refusal never echoes what was sent.
func (m *Mock) authorize(next http.Handler) http.Handler {
	if m.opts.APIKey == "" {
		return next
	}
	want := []byte(m.opts.APIKey)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.Header.Get("api-key")
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			got = bearer
		}
		if subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			writeError(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.", 0)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serveChat answers a chat completion; model, when set, overrides the
// body's (Azure names the deployment in the path).
func (m *Mock) serveChat(w http.ResponseWriter, r *http.Request, model string) {
	var req chat.Request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBytes)).Decode(&req); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "invalid_request_error", "", "Request body too large.", 0)
			return
		}
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "We could not parse the JSON body of your request.", 0)
		return
	}
	if model != "" {
		req.Model = model
	}
	call := &provider.Call{Request: &req}
	if req.Stream {
		m.serveStream(w, r, call)
		return
	}
	resp, err := m.Complete(r.Context(), call)
	if err != nil {
		writeFailure(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// serveStream writes the chunks as SSE, with the configured delays and faults.
func (m *Mock) serveStream(w http.ResponseWriter, r *http.Request, call *provider.Call) {
	ctx := r.Context()
	g, err := m.start(call)
	if err != nil {
		writeFailure(w, err)
		return
	}
	if sleep(ctx, m.firstByteDelay(call.Request.Model)) != nil {
		return // the client left
	}
	req := call.Request
	includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
	chunks := m.chunks(g, newID(), m.now().UTC().Unix(), req.Model, includeUsage)
	failAt, dropAt := faultAt(m.opts.FailMidStream, req.Model), faultAt(m.opts.DropMidStream, req.Model)

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	rc.Flush()
	for i := 0; ; i++ {
		switch {
		case i == failAt:
			body := errorBody(midStreamMessage, typeServerError, "")
			sse.WriteData(w, body)
			rc.Flush()
			return
		case i == dropAt:
			// Abort the response without its end, as a dying upstream does;
			// net/http closes the connection and logs nothing for this value.
			panic(http.ErrAbortHandler)
		case i == len(chunks):
			w.Write([]byte("data: [DONE]\n\n"))
			rc.Flush()
			return
		case i > 0 && sleep(ctx, m.opts.ChunkDelay) != nil:
			return
		}
		b, err := json.Marshal(chunks[i])
		if err != nil {
			return
		}
		if sse.WriteData(w, b) != nil || rc.Flush() != nil {
			return
		}
	}
}

// writeFailure answers a provider error as its upstream status; a call the
// client abandoned gets no answer.
func writeFailure(w http.ResponseWriter, err error) {
	pe, ok := provider.AsError(err)
	if !ok || pe.StatusCode == 0 {
		return
	}
	code := pe.Type
	if code == "invalid_request_error" {
		code = ""
	}
	writeError(w, pe.StatusCode, openAIType(pe.StatusCode), code, pe.Message, pe.RetryAfter)
}

// openAIType is the "type" OpenAI sends with a status.
func openAIType(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "requests"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

// writeError writes OpenAI's error envelope, with Retry-After when set.
func writeError(w http.ResponseWriter, status int, typ, code, msg string, retryAfter time.Duration) {
	if retryAfter > 0 {
		secs := int64((retryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(errorBody(msg, typ, code))
}

// errorBody is {"error":{"message","type","param","code"}}; an empty code is null.
func errorBody(msg, typ, code string) []byte {
	var c *string
	if code != "" {
		c = &code
	}
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": c}})
	return b
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
