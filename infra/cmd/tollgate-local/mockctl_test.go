package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/provider/mock"
)

func TestMockControl(t *testing.T) {
	regs := &mock.Regressions{}
	mux := http.NewServeMux()
	mockControl{regressions: regs}.register(mux)
	large := mock.Regression{ErrorPercent: 20, ExtraLatency: 500 * time.Millisecond, QualityDrop: 0.3}
	steps := []struct {
		name     string
		method   string
		path     string
		body     string
		status   int
		contains string // in the response body
		want     map[string]mock.Regression
	}{
		{"empty list", "GET", "/local/mock/regressions", "", 200, `{"regressions":{}}`, map[string]mock.Regression{}},
		{"set", "PUT", "/local/mock/regressions/mock-large", `{"error_percent":20,"extra_latency_ms":500,"quality_drop":0.3}`, 200,
			`"regression":{"error_percent":20,"extra_latency_ms":500,"quality_drop":0.3}`, map[string]mock.Regression{"mock-large": large}},
		{"set with absent fields", "PUT", "/local/mock/regressions/mock-small", `{"error_percent":100}`, 200,
			`"model":"mock-small"`, map[string]mock.Regression{"mock-large": large, "mock-small": {ErrorPercent: 100}}},
		{"list", "GET", "/local/mock/regressions", "", 200,
			`"mock-large":{"error_percent":20,"extra_latency_ms":500,"quality_drop":0.3}`, map[string]mock.Regression{"mock-large": large, "mock-small": {ErrorPercent: 100}}},
		{"percent out of range", "PUT", "/local/mock/regressions/mock-large", `{"error_percent":101}`, 400, `"code":"invalid_regression"`, nil},
		{"negative latency", "PUT", "/local/mock/regressions/mock-large", `{"extra_latency_ms":-1}`, 400, `"code":"invalid_regression"`, nil},
		{"overflowing latency", "PUT", "/local/mock/regressions/mock-large", `{"extra_latency_ms":9223372036854775807}`, 400, `"code":"invalid_regression"`, nil},
		{"drop out of range", "PUT", "/local/mock/regressions/mock-large", `{"quality_drop":1.5}`, 400, `"code":"invalid_regression"`, nil},
		{"fractional percent", "PUT", "/local/mock/regressions/mock-large", `{"error_percent":2.5}`, 400, `"code":"invalid_json"`, nil},
		{"unknown field", "PUT", "/local/mock/regressions/mock-large", `{"errors":5}`, 400, `"code":"invalid_json"`, nil},
		{"not JSON", "PUT", "/local/mock/regressions/mock-large", `error_percent=5`, 400, `"code":"invalid_json"`, nil},
		{"two objects", "PUT", "/local/mock/regressions/mock-large", `{} {}`, 400, `"code":"invalid_json"`, nil},
		{"too large", "PUT", "/local/mock/regressions/mock-large", `{"error_percent":1` + strings.Repeat(" ", 8<<10) + `}`, 400, `"code":"invalid_json"`, nil},
		{"refusals kept the old", "GET", "/local/mock/regressions", "", 200, `"mock-small":{"error_percent":100`,
			map[string]mock.Regression{"mock-large": large, "mock-small": {ErrorPercent: 100}}},
		{"clear", "DELETE", "/local/mock/regressions/mock-large", "", 204, "", map[string]mock.Regression{"mock-small": {ErrorPercent: 100}}},
		{"clear again", "DELETE", "/local/mock/regressions/mock-large", "", 204, "", map[string]mock.Regression{"mock-small": {ErrorPercent: 100}}},
		{"clear the last", "DELETE", "/local/mock/regressions/mock-small", "", 204, "", map[string]mock.Regression{}},
	}
	for _, s := range steps {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(s.method, s.path, strings.NewReader(s.body)))
		if rec.Code != s.status || !strings.Contains(rec.Body.String(), s.contains) {
			t.Fatalf("%s: %d %s", s.name, rec.Code, rec.Body)
		}
		if rec.Code != http.StatusNoContent && (rec.Header().Get("Content-Type") != "application/json" || !json.Valid(rec.Body.Bytes())) {
			t.Fatalf("%s: not a JSON answer: %q", s.name, rec.Body)
		}
		if s.want == nil {
			continue
		}
		got := regs.All()
		if len(got) != len(s.want) {
			t.Fatalf("%s: regressions %+v, want %+v", s.name, got, s.want)
		}
		for model, want := range s.want {
			if got[model] != want {
				t.Fatalf("%s: %s is %+v, want %+v", s.name, model, got[model], want)
			}
		}
	}
}
