package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestLocalSystem starts everything `make run` starts, on a free port, and
// drives it over HTTP as a developer would: a chat completion with the demo
// key, a regression set through the control endpoint failing the next call
// with OpenAI's error shape, and an on-demand drift run.
func TestLocalSystem(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sys, err := start(ctx, options{addr: "127.0.0.1:0", retentionEvery: time.Hour, driftEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := sys.Close(); err != nil {
			t.Error(err)
		}
	}()
	if sys.demo.Org == "" || sys.demo.Workspace == "" || sys.demo.Token == "" || sys.regressions == nil || sys.drift == nil {
		t.Fatalf("incomplete system: %+v", sys)
	}
	local := "http://" + sys.addr

	do := func(method, url, body string, auth bool) (int, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if auth {
			req.Header.Set("Authorization", "Bearer "+sys.demo.Token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, b
	}
	chat := func(model string) (int, []byte) {
		return do("POST", sys.baseURL+"/chat/completions",
			`{"model":"`+model+`","messages":[{"role":"user","content":"hello"}]}`, true)
	}

	status, body := chat("default")
	var completion struct {
		Choices []struct {
			Message struct{ Content string } `json:"message"`
		} `json:"choices"`
	}
	if err := json.Unmarshal(body, &completion); status != 200 || err != nil || len(completion.Choices) != 1 || completion.Choices[0].Message.Content == "" {
		t.Fatalf("chat completion: %d %s", status, body)
	}
	if status, body := chat("mock/mock-large"); status != 200 {
		t.Fatalf("mock-large before the regression: %d %s", status, body)
	}

	if status, body := do("PUT", local+"/local/mock/regressions/mock-large", `{"error_percent":100}`, false); status != 200 {
		t.Fatalf("set regression: %d %s", status, body)
	}
	if status, body := do("GET", local+"/local/mock/regressions", "", false); status != 200 || !strings.Contains(string(body), `"mock-large":{"error_percent":100`) {
		t.Fatalf("list regressions: %d %s", status, body)
	}
	status, body = chat("mock/mock-large")
	var failure struct {
		Error *struct {
			Message string `json:"message"`
			Type    string `json:"type"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &failure); status < 500 || err != nil || failure.Error == nil || failure.Error.Message == "" || failure.Error.Type == "" {
		t.Fatalf("regressed mock-large: %d %s", status, body)
	}
	t.Logf("regressed mock-large: %d %s", status, body)
	if status, body := chat("default"); status != 200 {
		t.Fatalf("the regression leaked to mock-small: %d %s", status, body)
	}
	if status, body := do("DELETE", local+"/local/mock/regressions/mock-large", "", false); status != 204 {
		t.Fatalf("clear regression: %d %s", status, body)
	}
	if status, body := chat("mock/mock-large"); status != 200 {
		t.Fatalf("mock-large after clearing: %d %s", status, body)
	}

	status, body = do("POST", local+"/local/jobs/drift", "", false)
	var report map[string]any
	if err := json.Unmarshal(body, &report); status != 200 || err != nil || report["orgs"] == nil {
		t.Fatalf("drift run: %d %s", status, body)
	}
	t.Logf("drift report: %s", body)
	if _, err := sys.drift(ctx); err != nil {
		t.Fatalf("drift run in process: %v", err)
	}
}
