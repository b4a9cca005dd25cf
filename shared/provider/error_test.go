package provider

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"absent", http.Header{}, 0},
		{"seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		{"zero", http.Header{"Retry-After": {"0"}}, 0},
		{"negative", http.Header{"Retry-After": {"-3"}}, 0},
		{"date", http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second},
		{"past date", http.Header{"Retry-After": {now.Add(-time.Minute).Format(http.TimeFormat)}}, 0},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0},
		{"ms", http.Header{"Retry-After-Ms": {"1500"}}, 1500 * time.Millisecond},
	}
	for _, c := range cases {
		if got := ParseRetryAfter(c.h, now); got != c.want {
			t.Errorf("%s: got %v want %v", c.name, got, c.want)
		}
	}
}

func TestRetryable(t *testing.T) {
	cases := []struct {
		e    Error
		want bool
	}{
		{Error{StatusCode: 429}, true},
		{Error{StatusCode: 500}, true},
		{Error{StatusCode: 503}, true},
		{Error{StatusCode: 529}, true},
		{Error{Timeout: true}, true},
		{Error{StatusCode: 0}, true},
		{Error{StatusCode: 400}, false},
		{Error{StatusCode: 401}, false},
		{Error{StatusCode: 404}, false},
	}
	for _, c := range cases {
		if got := c.e.Retryable(); got != c.want {
			t.Errorf("%+v: got %v", c.e, got)
		}
	}
}
