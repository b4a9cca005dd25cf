package openaierr

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

func TestWrite(t *testing.T) {
	cases := []struct {
		err        error
		status     int
		typ, code  string
		param      any
		retryAfter string
	}{
		{apperr.New(apperr.Invalid, "invalid_n", "n must be between 1 and 8").WithParam("n"), 400, "invalid_request_error", "invalid_n", "n", ""},
		{apperr.New(apperr.Unauthenticated, "invalid_api_key", "bad key"), 401, "authentication_error", "invalid_api_key", nil, ""},
		{apperr.New(apperr.BudgetExhausted, "budget_exhausted", "cap").WithRetryAfter(1500 * time.Millisecond), 429, "insufficient_quota", "budget_exhausted", nil, "2"},
		{apperr.New(apperr.RateLimited, "rate_limit_exceeded", "rpm").WithRetryAfter(50 * time.Second), 429, "rate_limit_error", "rate_limit_exceeded", nil, "50"},
		{apperr.New(apperr.UpstreamFailed, "upstream_error", "provider failed"), 502, "upstream_error", "upstream_error", nil, ""},
		{apperr.New(apperr.Unavailable, "budget_store_unavailable", "retry").WithRetryAfter(time.Second), 503, "service_unavailable", "budget_store_unavailable", nil, "1"},
		{errors.New("dial tcp 10.0.0.7:443: secret detail"), 500, "server_error", "internal_error", nil, ""},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		if got := Write(rec, c.err); got != c.status || rec.Code != c.status {
			t.Fatalf("%v: status %d/%d want %d", c.err, got, rec.Code, c.status)
		}
		var b struct {
			Error map[string]any `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
			t.Fatal(err)
		}
		if b.Error["type"] != c.typ || b.Error["code"] != c.code || b.Error["param"] != c.param {
			t.Errorf("%v: body %v", c.err, b.Error)
		}
		if rec.Header().Get("Retry-After") != c.retryAfter {
			t.Errorf("%v: Retry-After %q want %q", c.err, rec.Header().Get("Retry-After"), c.retryAfter)
		}
		if strings.Contains(rec.Body.String(), "10.0.0.7") {
			t.Fatal("cause leaked into the response")
		}
	}
}

func TestWriteStatusAndEvent(t *testing.T) {
	rec := httptest.NewRecorder()
	if WriteStatus(rec, 415, apperr.New(apperr.Invalid, "unsupported_media_type", "JSON only")) != 415 || rec.Code != 415 {
		t.Fatal("explicit status not written")
	}
	ev := string(Event(apperr.New(apperr.UpstreamFailed, "upstream_error", "broke")))
	if !strings.HasPrefix(ev, `{"error":`) || strings.Contains(ev, "\n") || !strings.Contains(ev, `"upstream_error"`) {
		t.Fatalf("event %q", ev)
	}
}
