package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// scheduled runs one scheduled function the way EventBridge and a reserved
// concurrency of 1 do in AWS: on a ticker, never two runs at once; and on
// demand over HTTP, so a developer need not wait for the tick.
type scheduled[R any] struct {
	name   string
	run    func(context.Context) (R, error)
	logger *slog.Logger

	mu sync.Mutex // one run at a time
}

// tick runs the job every period until ctx ends.
func (s *scheduled[R]) tick(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.once(ctx); err != nil {
				s.logger.Error("scheduled run failed", "job", s.name, "error", err)
			}
		}
	}
}

func (s *scheduled[R]) once(ctx context.Context) (R, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rctx, cancel := context.WithTimeout(ctx, 5*time.Minute) // the function's timeout in template.yaml
	defer cancel()
	return s.run(rctx)
}

// ServeHTTP runs the job now and answers with its report.
func (s *scheduled[R]) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep, err := s.once(r.Context())
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		s.logger.Error("on-demand run failed", "job", s.name, "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{
			"code": "job_failed", "message": s.name + " did not finish; see the log, then retry"}})
		return
	}
	json.NewEncoder(w).Encode(rep)
}
