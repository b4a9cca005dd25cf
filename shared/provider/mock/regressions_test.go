package mock_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/provider/mock"
)

// ticket is the i-th request of a seeded set, with a reference answer.
func ticket(model string, i int) *chat.Request {
	return &chat.Request{Model: model, Messages: []chat.Message{{
		Role: chat.RoleUser, Content: chat.TextContent(fmt.Sprintf("Ticket %d: which queue?\nAnswer: queue-%d", i, i)),
	}}}
}

func TestRegressionsRefuseBadValues(t *testing.T) {
	cases := []struct {
		name  string
		model string
		r     mock.Regression
		ok    bool
	}{
		{"zero", "mock-large", mock.Regression{}, true},
		{"every bound", "mock-large", mock.Regression{ErrorPercent: 100, ExtraLatency: mock.MaxExtraLatency, QualityDrop: 1}, true},
		{"no model", "", mock.Regression{ErrorPercent: 10}, false},
		{"negative percent", "m", mock.Regression{ErrorPercent: -1}, false},
		{"percent over 100", "m", mock.Regression{ErrorPercent: 101}, false},
		{"negative latency", "m", mock.Regression{ExtraLatency: -time.Millisecond}, false},
		{"latency over the bound", "m", mock.Regression{ExtraLatency: mock.MaxExtraLatency + 1}, false},
		{"negative drop", "m", mock.Regression{QualityDrop: -0.1}, false},
		{"drop over 1", "m", mock.Regression{QualityDrop: 1.1}, false},
		{"NaN drop", "m", mock.Regression{QualityDrop: math.NaN()}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var rs mock.Regressions
			err := rs.Set(c.model, c.r)
			if (err == nil) != c.ok {
				t.Fatalf("Set: %v", err)
			}
			if _, set := rs.Get(c.model); set != c.ok {
				t.Fatalf("a refused regression was kept, or an accepted one lost")
			}
		})
	}
	var none *mock.Regressions
	if err := none.Set("m", mock.Regression{}); err == nil {
		t.Error("a nil set accepted a regression")
	}
	if _, ok := none.Get("m"); ok || len(none.All()) != 0 {
		t.Error("a nil set is not empty")
	}
	none.Clear("m")
	none.ClearAll()
}

func TestRegressionsSetGetClear(t *testing.T) {
	var rs mock.Regressions
	a := mock.Regression{ErrorPercent: 5}
	b := mock.Regression{QualityDrop: 0.2, ExtraLatency: time.Second}
	steps := []struct {
		name string
		do   func() error
		want map[string]mock.Regression
	}{
		{"empty", func() error { return nil }, map[string]mock.Regression{}},
		{"set a", func() error { return rs.Set("mock-large", a) }, map[string]mock.Regression{"mock-large": a}},
		{"set b", func() error { return rs.Set("mock-small", b) }, map[string]mock.Regression{"mock-large": a, "mock-small": b}},
		{"replace a", func() error { return rs.Set("mock-large", b) }, map[string]mock.Regression{"mock-large": b, "mock-small": b}},
		{"refused keeps the old", func() error { rs.Set("mock-large", mock.Regression{ErrorPercent: 200}); return nil },
			map[string]mock.Regression{"mock-large": b, "mock-small": b}},
		{"clear one", func() error { rs.Clear("mock-large"); return nil }, map[string]mock.Regression{"mock-small": b}},
		{"clear unknown", func() error { rs.Clear("nothing"); return nil }, map[string]mock.Regression{"mock-small": b}},
		{"clear all", func() error { rs.ClearAll(); return nil }, map[string]mock.Regression{}},
		{"set after clear all", func() error { return rs.Set("mock-tiny", a) }, map[string]mock.Regression{"mock-tiny": a}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		all := rs.All()
		if len(all) != len(s.want) {
			t.Fatalf("%s: %+v, want %+v", s.name, all, s.want)
		}
		for model, want := range s.want {
			if got, ok := rs.Get(model); !ok || got != want || all[model] != want {
				t.Fatalf("%s: %s is %+v (%v), want %+v", s.name, model, got, ok, want)
			}
		}
	}
	all := rs.All()
	all["mock-tiny"] = b
	if got, _ := rs.Get("mock-tiny"); got != a {
		t.Error("All returned the set's own map")
	}
}

// TestRegressionErrorPercent checks that the in-memory provider and the
// HTTP handler fail the same, request-chosen share of calls with a 500.
func TestRegressionErrorPercent(t *testing.T) {
	const prompts = 600
	rs := &mock.Regressions{}
	h := newHarness(t, mock.Options{Regressions: rs})
	ctx := context.Background()
	failedAt := map[int]map[int]bool{}
	for _, percent := range []int{0, 30, 60, 100} {
		t.Run(fmt.Sprintf("%d%%", percent), func(t *testing.T) {
			if err := rs.Set("mock-large", mock.Regression{ErrorPercent: percent}); err != nil {
				t.Fatal(err)
			}
			failed := map[int]bool{}
			for i := range prompts {
				req := ticket("mock-large", i)
				_, errC := h.mock.Complete(ctx, &provider.Call{Request: req})
				_, errS := h.mock.Stream(ctx, &provider.Call{Request: req})
				if (errC == nil) != (errS == nil) {
					t.Fatalf("prompt %d: Complete %v, Stream %v", i, errC, errS)
				}
				if errC == nil {
					continue
				}
				failed[i] = true
				for _, err := range []error{errC, errS} {
					pe, ok := provider.AsError(err)
					if !ok || pe.StatusCode != http.StatusInternalServerError || pe.Type != "server_error" || !pe.Retryable() {
						t.Fatalf("prompt %d: got %#v", i, err)
					}
				}
			}
			if rate := float64(len(failed)) / prompts; math.Abs(rate-float64(percent)/100) > 0.05 {
				t.Errorf("failed %.3f of calls at %d%%", rate, percent)
			}
			for i := range 40 { // the HTTP path fails the same requests
				req := ticket("mock-large", i)
				_, errC := h.adapter.Complete(ctx, h.call(req))
				_, errS := h.adapter.Stream(ctx, h.call(req))
				for _, err := range []error{errC, errS} {
					pe, ok := provider.AsError(err)
					if failed[i] != (err != nil) || failed[i] && (!ok || pe.StatusCode != http.StatusInternalServerError || pe.Type != "server_error") {
						t.Fatalf("prompt %d over HTTP: in memory failed %v, got %#v", i, failed[i], err)
					}
				}
			}
			for lower, prev := range failedAt {
				for i := range prev {
					if lower < percent && !failed[i] {
						t.Errorf("prompt %d failed at %d%% but not at %d%%", i, lower, percent)
					}
				}
			}
			failedAt[percent] = failed
			if _, err := h.mock.Complete(ctx, &provider.Call{Request: ticket("mock-small", 1)}); err != nil {
				t.Errorf("the regression leaked to another model: %v", err)
			}
		})
	}
	rs.Clear("mock-large")
	if _, err := h.adapter.Complete(ctx, h.call(ticket("mock-large", 1))); err != nil {
		t.Errorf("cleared regression still fails: %v", err)
	}
}

// TestRegressionExtraLatency checks that every path waits the extra
// latency before its first byte, and gives up when its context ends.
func TestRegressionExtraLatency(t *testing.T) {
	const extra = 60 * time.Millisecond
	rs := &mock.Regressions{}
	h := newHarness(t, mock.Options{Regressions: rs})
	if err := rs.Set("mock-large", mock.Regression{ExtraLatency: extra}); err != nil {
		t.Fatal(err)
	}
	if err := rs.Set("stalled", mock.Regression{ExtraLatency: mock.MaxExtraLatency}); err != nil {
		t.Fatal(err)
	}
	firstByte := func(stream bool, viaHTTP bool) func(context.Context, *chat.Request) error {
		return func(ctx context.Context, req *chat.Request) error {
			var s provider.Stream
			var err error
			switch {
			case viaHTTP && stream:
				s, err = h.adapter.Stream(ctx, h.call(req))
			case viaHTTP:
				_, err = h.adapter.Complete(ctx, h.call(req))
			case stream:
				s, err = h.mock.Stream(ctx, &provider.Call{Request: req})
			default:
				_, err = h.mock.Complete(ctx, &provider.Call{Request: req})
			}
			if s != nil {
				defer s.Close()
				_, err = s.Recv()
			}
			return err
		}
	}
	paths := []struct {
		name string
		call func(context.Context, *chat.Request) error
	}{
		{"memory complete", firstByte(false, false)},
		{"memory stream", firstByte(true, false)},
		{"HTTP complete", firstByte(false, true)},
		{"HTTP stream", firstByte(true, true)},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			began := time.Now()
			if err := p.call(context.Background(), ticket("mock-large", 1)); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(began); took < extra {
				t.Errorf("first byte after %s, want at least %s", took, extra)
			}
			began = time.Now()
			if err := p.call(context.Background(), ticket("mock-small", 1)); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(began); took >= extra {
				t.Errorf("an unregressed model took %s", took)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			began = time.Now()
			if err := p.call(ctx, ticket("stalled", 1)); err == nil || time.Since(began) > 5*time.Second {
				t.Errorf("a stalled call ended with %v after %s", err, time.Since(began))
			}
		})
	}
}

// TestRegressionQualityDrop checks that a drop lowers the rate of correct
// answers to Quality minus the drop, floored at 0, on both paths, and that
// the regressed model only loses requests it used to get right.
func TestRegressionQualityDrop(t *testing.T) {
	const prompts = 1000
	cases := []struct {
		drop float64
		want float64
	}{
		{0, 0.95},
		{0.15, 0.80},
		{0.45, 0.50},
		{0.95, 0},
		{1, 0},
	}
	ctx := context.Background()
	for _, c := range cases {
		t.Run(fmt.Sprint(c.drop), func(t *testing.T) {
			rs := &mock.Regressions{}
			h := newHarness(t, mock.Options{Regressions: rs})
			healthy := newHarness(t, mock.Options{})
			if err := rs.Set("mock-large", mock.Regression{QualityDrop: c.drop}); err != nil {
				t.Fatal(err)
			}
			right := 0
			for i := range prompts {
				req := ticket("mock-large", i)
				got := h.mock.Answer(req.Model, req.Messages)
				ok := got == mock.Correct(req.Messages)
				if ok {
					right++
					if healthy.mock.Answer(req.Model, req.Messages) != got {
						t.Fatalf("prompt %d: right only after the regression", i)
					}
				}
				if i < 20 {
					resp, err := h.adapter.Complete(ctx, h.call(req))
					if err != nil || resp.Choices[0].Message.Content.String() != got {
						t.Fatalf("prompt %d over HTTP: %v, %+v, in memory %q", i, err, resp, got)
					}
				}
			}
			if rate := float64(right) / prompts; math.Abs(rate-c.want) > 0.03 {
				t.Errorf("correct %.3f of the time, want %.2f", rate, c.want)
			}
			rs.ClearAll()
			restored := 0
			for i := range prompts {
				req := ticket("mock-large", i)
				if h.mock.Answer(req.Model, req.Messages) == mock.Correct(req.Messages) {
					restored++
				}
			}
			if math.Abs(float64(restored)/prompts-0.95) > 0.03 {
				t.Errorf("after ClearAll correct %d of %d", restored, prompts)
			}
		})
	}
}

// TestRegressionsChangeWhileServing runs calls while the regressions change;
// with -race it proves the set is safe for concurrent use.
func TestRegressionsChangeWhileServing(t *testing.T) {
	rs := &mock.Regressions{}
	m, err := mock.New(mock.Options{Regressions: rs})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				m.Complete(context.Background(), &provider.Call{Request: ticket("mock-large", w*1000+i)})
			}
		}()
	}
	for i := range 200 {
		if err := rs.Set("mock-large", mock.Regression{ErrorPercent: i % 101, QualityDrop: float64(i%10) / 10}); err != nil {
			t.Fatal(err)
		}
		rs.All()
		if i%50 == 0 {
			rs.ClearAll()
		}
	}
	wg.Wait()
}
