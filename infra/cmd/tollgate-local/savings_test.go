package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// client drives the local system over HTTP with the demo key.
type client struct {
	t   *testing.T
	ctx context.Context
	sys *system
}

func (c client) do(method, url, contentType, body string) (int, http.Header, []byte) {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.ctx, method, url, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+c.sys.demo.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// api calls the management API of the demo workspace and decodes a 2xx
// answer into out.
func (c client) api(method, path, body string, out any) {
	c.t.Helper()
	url := "http://" + c.sys.addr + "/api/v1/workspaces/" + c.sys.demo.Workspace + path
	status, _, b := c.do(method, url, "application/json", body)
	if status/100 != 2 {
		c.t.Fatalf("%s %s: %d %s", method, path, status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// traffic sends n chat calls to model, eight at a time, and returns the
// models that answered (X-Tollgate-Model).
func (c client) traffic(model string, n int) map[string]int {
	c.t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	served := map[string]int{}
	sem := make(chan struct{}, 8)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			body := fmt.Sprintf(`{"model":%q,"messages":[{"role":"user","content":"Ticket %d: which queue? Answer: queue-%d"}]}`, model, i, i%7)
			status, h, b := c.do("POST", c.sys.baseURL+"/chat/completions", "application/json", body)
			mu.Lock()
			defer mu.Unlock()
			if status != 200 {
				c.t.Errorf("chat %d: %d %s", i, status, b)
				return
			}
			served[h.Get("X-Tollgate-Model")]++
		}()
	}
	wg.Wait()
	if c.t.Failed() {
		c.t.FailNow()
	}
	return served
}

// servedBy waits until the alias's calls are answered by model: an alias
// change reaches other gateway instances within their workspace cache's
// lifetime (5 s), then every call goes to it.
func (c client) servedBy(alias, model string) {
	c.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		served := c.traffic(alias, 4)
		if served[model] == 4 {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s still served by %v, want %s", alias, served, model)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

type recommendation struct {
	ID        string `json:"id"`
	Alias     string `json:"alias"`
	Baseline  string `json:"baseline"`
	Candidate string `json:"candidate"`
	State     string `json:"state"`
	Evidence  struct {
		N      int64   `json:"n"`
		Mean   float64 `json:"mean_difference"`
		Lower  float64 `json:"lower_bound_anytime"`
		TLower float64 `json:"lower_bound_t"`
		Delta  float64 `json:"delta"`
		Alpha  float64 `json:"alpha"`
		MinN   int64   `json:"min_n"`
	} `json:"evidence"`
	Cost struct {
		Baseline  int64 `json:"baseline_per_request_nano"`
		Candidate int64 `json:"candidate_per_request_nano"`
		Requests  int64 `json:"alias_requests"`
		Saving    int64 `json:"projected_monthly_saving_nano"`
	} `json:"cost"`
	Explanation  string `json:"explanation"`
	Verification *struct {
		Regressed bool `json:"regressed"`
		Checks    []struct {
			Signal    string  `json:"signal"`
			Test      string  `json:"test"`
			Statistic float64 `json:"statistic"`
			P         float64 `json:"p_value"`
			Effect    float64 `json:"effect"`
			Regressed bool    `json:"regressed"`
			Before    struct {
				N int64 `json:"n"`
			} `json:"before"`
			After struct {
				N int64 `json:"n"`
			} `json:"after"`
		} `json:"checks"`
	} `json:"verification"`
}

// TestSavingsLoop walks the savings engine end to end on the local system
// with the mock provider: a dataset is uploaded and evaluated, the
// evaluation yields a recommendation with its numbers, applying it moves
// the alias's traffic to the candidate, a regression injected into the
// candidate is flagged by the verification loop, and rolling back
// restores the baseline.
func TestSavingsLoop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
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
	c := client{t: t, ctx: ctx, sys: sys}

	// The workspace's "support" alias runs on the large model and has
	// traffic: the projection's basis and the verification's "before".
	c.api("PUT", "/aliases/support", `{"targets":["mock/mock-large"]}`, nil)
	if served := c.traffic("support", 40); served["mock-large"] != 40 {
		t.Fatalf("before: %v", served)
	}

	// 1. Upload a dataset.
	var lines strings.Builder
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&lines, `{"messages":[{"role":"user","content":"Ticket %d: which queue? Answer: queue-%d"}],"reference":"queue-%d"}`+"\n", i, i, i)
	}
	var ds struct{ ID string }
	url := "http://" + sys.addr + "/api/v1/workspaces/" + sys.demo.Workspace + "/datasets?name=tickets"
	status, _, b := c.do("POST", url, "application/x-ndjson", lines.String())
	if err := json.Unmarshal(b, &ds); status != 201 || err != nil || ds.ID == "" {
		t.Fatalf("upload: %d %s", status, b)
	}

	// 2. Evaluate the medium model against the alias.
	var created struct {
		Run struct {
			ID    string `json:"id"`
			Alias string `json:"alias"`
		} `json:"run"`
	}
	c.api("POST", "/evals", `{"baseline":"support","candidate":"mock/mock-medium","source":"dataset:`+ds.ID+
		`","scorer":{"type":"exact"},"max_output_tokens":64,"cap_nano":5000000000}`, &created)
	if created.Run.Alias != "support" {
		t.Fatalf("run alias %q", created.Run.Alias)
	}
	for {
		var run struct{ State string }
		c.api("GET", "/evals/"+created.Run.ID, "", &run)
		if run.State == "completed" {
			break
		}
		if run.State != "running" {
			t.Fatalf("run state %s", run.State)
		}
		select {
		case <-ctx.Done():
			t.Fatal("the run did not complete")
		case <-time.After(500 * time.Millisecond):
		}
	}

	// 3. The recommendation, with its numbers.
	var list struct{ Recommendations []recommendation }
	c.api("GET", "/recommendations", "", &list)
	if len(list.Recommendations) != 1 {
		t.Fatalf("%d recommendations", len(list.Recommendations))
	}
	rec := list.Recommendations[0]
	ev := rec.Evidence
	if rec.State != "open" || rec.Alias != "support" || rec.Baseline != "mock/mock-large" || rec.Candidate != "mock/mock-medium" ||
		ev.N < ev.MinN || ev.MinN != 100 || ev.Lower <= -ev.Delta || ev.Delta != 0.05 || ev.Alpha != 0.05 || ev.TLower < ev.Lower-1 {
		t.Fatalf("recommendation: %+v", rec)
	}
	if rec.Cost.Candidate*4 > rec.Cost.Baseline || rec.Cost.Requests != 40 || rec.Cost.Saving <= 0 ||
		!strings.Contains(rec.Explanation, "Projected monthly saving") {
		t.Fatalf("cost: %+v\n%s", rec.Cost, rec.Explanation)
	}
	t.Logf("recommendation: n=%d mean=%+.4f lower=%+.4f t=%+.4f saving=%d\n%s", ev.N, ev.Mean, ev.Lower, ev.TLower, rec.Cost.Saving, rec.Explanation)

	// 4. Apply: the alias's traffic goes to the candidate.
	c.api("POST", "/recommendations/"+rec.ID+"/apply", `{}`, nil)
	c.servedBy("support", "mock-medium")

	// 5. A latency regression in the candidate; the verification loop flags it.
	regress := "http://" + sys.addr + "/local/mock/regressions/mock-medium"
	if status, _, b := c.do("PUT", regress, "application/json", `{"extra_latency_ms":600}`); status != 200 {
		t.Fatalf("inject: %d %s", status, b)
	}
	c.traffic("support", 40)
	if status, _, b := c.do("POST", "http://"+sys.addr+"/local/jobs/drift", "application/json", ""); status != 200 {
		t.Fatalf("verification pass: %d %s", status, b)
	}
	var got struct{ Recommendation recommendation }
	c.api("GET", "/recommendations/"+rec.ID, "", &got)
	v := got.Recommendation.Verification
	if got.Recommendation.State != "regressed" || v == nil || !v.Regressed {
		t.Fatalf("after the regression: %+v", got.Recommendation)
	}
	flagged := false
	for _, ch := range v.Checks {
		if ch.Signal == "latency" && ch.Regressed && ch.P < 0.01 && ch.Before.N == 40 && ch.After.N >= 44 && ch.Test != "" {
			flagged = true
		}
	}
	if !flagged {
		t.Fatalf("no latency flag with its evidence: %+v", v.Checks)
	}
	var audit struct {
		Entries []struct {
			Action    string `json:"action"`
			ActorKind string `json:"actor_kind"`
		} `json:"data"`
	}
	status, _, b = c.do("GET", "http://"+sys.addr+"/api/v1/audit?action=recommendation.regressed", "application/json", "")
	if err := json.Unmarshal(b, &audit); status != 200 || err != nil || len(audit.Entries) != 1 || audit.Entries[0].ActorKind != "system" {
		t.Fatalf("audit: %d %s", status, b)
	}

	// 6. Roll back: the baseline serves the alias again.
	c.api("POST", "/recommendations/"+rec.ID+"/rollback", `{"reason":"slower in production"}`, nil)
	c.servedBy("support", "mock-large")
	c.api("GET", "/recommendations/"+rec.ID, "", &got)
	if got.Recommendation.State != "rolled_back" {
		t.Fatalf("state after rollback: %s", got.Recommendation.State)
	}
}
