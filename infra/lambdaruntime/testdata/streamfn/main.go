//go:build lambda.norpc

// Command streamfn is the smallest real streaming function: the
// lambdaruntime tests build it, run it against the loopback Runtime API and
// check the bytes it posts. Between server-sent events it waits at a gate
// (STREAMFN_GATE_URL/step/N) that the test opens, so the test decides when
// each event may be written — no timing involved.
package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/tollgate-dev/tollgate/shared/lambdahttp"
)

// events are the three server-sent events the stream handler writes.
var events = [...]string{
	`{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Refunds"}}]}`,
	`{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":" within 30 days."}}]}`,
	`[DONE]`,
}

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	gate := os.Getenv("STREAMFN_GATE_URL")
	client := &http.Client{}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Stream bool `json:"stream"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !req.Stream {
			http.Error(w, `{"error":{"message":"stream must be true"}}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		for i, data := range events {
			if err := wait(r, client, gate, i+1); err != nil {
				logger.ErrorContext(r.Context(), "gate", "err", err)
				return
			}
			fmt.Fprintf(w, "data: %s\n\n", data)
			if err := rc.Flush(); err != nil {
				logger.ErrorContext(r.Context(), "flush", "err", err)
				return
			}
		}
	})
	mux.HandleFunc("POST /v1/panic", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		panic("handler bug holding tgk_0000000000000000000000000000000000000000")
	})
	mux.HandleFunc("POST /v1/panic-after-headers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: %s\n\n", events[0])
		if err := http.NewResponseController(w).Flush(); err != nil {
			return
		}
		panic("handler bug after the stream started")
	})
	lambdahttp.Start(mux, lambdahttp.Options{Logger: logger})
}

// wait blocks until the test opens gate step n, or the request is cancelled.
func wait(r *http.Request, client *http.Client, gate string, n int) error {
	if gate == "" {
		return nil
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, fmt.Sprintf("%s/step/%d", gate, n), nil)
	if err != nil {
		return fmt.Errorf("build gate request: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("wait at gate %d: %w", n, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("gate %d: status %d", n, resp.StatusCode)
	}
	return nil
}
