package config

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// String returns the required variable name, recording a problem when it is
// unset or empty.
func (r *Reader) String(name string) string {
	v, ok := r.get(name)
	if !ok {
		r.fail(name, "is required but not set")
	}
	return v
}

// StringOr returns the variable name, or def when it is unset or empty.
func (r *Reader) StringOr(name, def string) string {
	if v, ok := r.get(name); ok {
		return v
	}
	return def
}

// Int64 returns the variable name as a base-10 integer in [min, max], or def
// when it is unset or empty. A bad value is recorded and def returned, so
// the caller can go on reading and report every problem at once.
func (r *Reader) Int64(name string, def, min, max int64) int64 {
	v, ok := r.get(name)
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		r.failValue(name, v, "is not an integer")
		return def
	}
	if n < min || n > max {
		r.failValue(name, v, fmt.Sprintf("is out of range [%d,%d]", min, max))
		return def
	}
	return n
}

// Duration returns the variable name as a time.Duration ("30s", "5m",
// "1h30m"), or def when it is unset or empty. Negative durations are
// refused: every duration Tollgate reads is a timeout, a window or a TTL.
func (r *Reader) Duration(name string, def time.Duration) time.Duration {
	v, ok := r.get(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		r.failValue(name, v, "is not a duration (such as 30s, 5m or 1h30m)")
		return def
	}
	if d < 0 {
		r.failValue(name, v, "is a negative duration")
		return def
	}
	return d
}

// Bool returns the variable name as a boolean (1, t, true, 0, f, false, in
// any case), or def when it is unset or empty.
func (r *Reader) Bool(name string, def bool) bool {
	v, ok := r.get(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		r.failValue(name, v, "is not a boolean (true or false)")
		return def
	}
	return b
}

// URL returns the required variable name as an absolute http or https URL
// with a host, or nil after recording a problem.
func (r *Reader) URL(name string) *url.URL {
	v, ok := r.get(name)
	if !ok {
		r.fail(name, "is required but not set")
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(v))
	switch {
	case err != nil:
		// url.Error repeats the value, so only the fact is reported.
		r.failValue(name, v, "is not a valid URL")
	case u.Scheme != "http" && u.Scheme != "https":
		r.failValue(name, v, "is not an http or https URL")
	case u.Host == "":
		r.failValue(name, v, "is not an absolute URL with a host")
	default:
		return u
	}
	return nil
}

// List returns the variable name split at commas, each item trimmed of
// spaces and empty items dropped, or a copy of def when that leaves nothing.
func (r *Reader) List(name string, def []string) []string {
	v, _ := r.get(name)
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	if len(out) == 0 {
		return slices.Clone(def)
	}
	return out
}
