package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestScheduledRunsOnTicksAndOnDemandOneAtATime(t *testing.T) {
	var running, overlaps, runs atomic.Int32
	job := &scheduled[map[string]int]{name: "retention", logger: slog.New(slog.DiscardHandler),
		run: func(context.Context) (map[string]int, error) {
			if running.Add(1) > 1 {
				overlaps.Add(1)
			}
			defer running.Add(-1)
			runs.Add(1)
			time.Sleep(5 * time.Millisecond)
			return map[string]int{"deleted": 3}, nil
		}}
	ctx, cancel := context.WithCancel(context.Background())
	go job.tick(ctx, time.Millisecond)
	for i := 0; i < 5; i++ {
		rec := httptest.NewRecorder()
		job.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/local/jobs/retention", nil))
		if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"deleted":3}` {
			t.Fatalf("on demand: %d %s", rec.Code, rec.Body)
		}
	}
	cancel()
	if overlaps.Load() != 0 {
		t.Fatalf("%d runs overlapped", overlaps.Load())
	}
	if runs.Load() <= 5 {
		t.Fatalf("the ticker never ran the job (%d runs)", runs.Load())
	}
}

func TestScheduledReportsAFailedRunAsTypedJSON(t *testing.T) {
	job := &scheduled[int]{name: "retention", logger: slog.New(slog.DiscardHandler),
		run: func(context.Context) (int, error) { return 0, errors.New("dial tcp 10.0.0.1:443: refused") }}
	rec := httptest.NewRecorder()
	job.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/local/jobs/retention", nil))
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), `"code":"job_failed"`) || strings.Contains(rec.Body.String(), "10.0.0.1") {
		t.Fatalf("failed run: %d %s", rec.Code, rec.Body)
	}
}
