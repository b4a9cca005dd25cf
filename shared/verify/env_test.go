package verify_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/shared/audit"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/trace"
	"github.com/tollgate-dev/tollgate/shared/verify"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// tApply is when every test applies its recommendation; the after window
// runs from it, the before window is the week up to it.
var tApply = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// clock is a movable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// lockedBuffer collects log lines from concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// env is one fresh org with every store the loop uses, on one clock.
type env struct {
	ctx     context.Context
	org     string
	sc      *tenant.Scoped
	clk     *clock
	logs    *lockedBuffer
	recs    *recommend.Store
	aliases *workspace.Store
	actions *recommend.Actions
	traces  *trace.Store
	fb      *feedback.Store
	audits  *audit.Store
	runs    *evalrun.Store
	v       *verify.Verifier
}

func newEnv(t *testing.T, opts ...func(*verify.Config)) *env {
	t.Helper()
	ctx := context.Background()
	org := id.New(id.Org)
	sc, err := sessions.For(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{ctx: ctx, org: org, sc: sc, clk: &clock{now: tApply.Add(-8 * 24 * time.Hour)}, logs: &lockedBuffer{}}
	e.recs = recommend.NewStore(stack.TableName, e.clk.Now)
	e.aliases = workspace.NewStore(workspace.Config{Table: stack.TableName, Clock: e.clk.Now})
	e.actions = &recommend.Actions{Store: e.recs, Aliases: e.aliases, Clock: e.clk.Now}
	e.traces = trace.NewStore(stack.TableName, e.clk.Now)
	e.fb = feedback.NewStore(stack.TableName, feedback.WithClock(e.clk.Now))
	e.audits = audit.New(audit.Config{Table: stack.TableName, Clock: e.clk.Now})
	e.runs = evalrun.New(stack.TableName, e.clk.Now)
	cfg := verify.Config{Actions: e.actions, Traces: e.traces, Feedback: e.fb, Audit: e.audits, Runs: e.runs,
		Logger: slog.New(slog.NewJSONHandler(e.logs, nil))}
	for _, o := range opts {
		o(&cfg)
	}
	if e.v, err = verify.New(cfg); err != nil {
		t.Fatal(err)
	}
	return e
}

// Targets of every test's alias: the baseline first, a fallback behind it.
var (
	baseline  = workspace.Target{Connection: "openai", Model: "gpt-4o"}
	candidate = workspace.Target{Connection: "openai", Model: "gpt-4o-mini"}
	fallback  = workspace.Target{Connection: "anthropic", Model: "claude-haiku-4-5"}
)

// predicted is the evaluation's cost per request: the candidate at a
// quarter of the baseline's.
var predicted = recommend.Cost{BaselinePerRequestNano: 2000, CandidatePerRequestNano: 500}

// applied creates alias "support" in a fresh workspace routed to the
// baseline, a recommendation to move it to the candidate, and applies it
// at tApply; it returns the applied recommendation.
func (e *env) applied(t *testing.T, autoRollback bool) recommend.Recommendation {
	t.Helper()
	ws := id.New(id.Workspace)
	e.clk.Set(tApply.Add(-8 * 24 * time.Hour))
	if _, err := e.aliases.SaveAlias(e.ctx, e.sc.DynamoDB, e.org, ws, "support", []workspace.Target{baseline, fallback},
		"usr_alice", e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	rec, created, err := e.recs.Create(e.ctx, e.sc.DynamoDB, recommend.Recommendation{
		Org: e.org, Workspace: ws, Run: id.New("run_"), Alias: "support",
		Baseline: baseline.String(), Candidate: candidate.String(), Scorer: "exact_match",
		Evidence: recommend.Evidence{N: 400, MeanBaseline: 0.82, MeanCandidate: 0.81, MeanDiff: -0.01, Lower: -0.04,
			TLower: -0.03, Delta: 0.05, Alpha: 0.05, MinN: 100, Method: recommend.Method, Final: true},
		Cost: predicted,
	})
	if err != nil || !created {
		t.Fatalf("create recommendation: %v (created %v)", err, created)
	}
	e.clk.Set(tApply)
	out, alias, err := e.actions.Apply(e.ctx, e.sc.DynamoDB, e.org, ws, rec.ID, "usr_alice", autoRollback)
	if err != nil {
		t.Fatal(err)
	}
	if alias.Version != 2 || out.Apply == nil || out.Apply.Previous != 1 || !out.Apply.At.Equal(tApply) {
		t.Fatalf("apply: %+v, alias %+v", out.Apply, alias)
	}
	return out
}

// step runs the loop for the org at now (the clock moves there too, as
// the drift job's clock would be).
func (e *env) step(t *testing.T, now time.Time) {
	t.Helper()
	e.clk.Set(now)
	if err := e.v.Step(e.ctx, e.org, e.sc, now); err != nil {
		t.Fatalf("step at %s: %v\n%s", now.Format(time.RFC3339), err, e.logs.String())
	}
}

// get reads rec back.
func (e *env) get(t *testing.T, rec recommend.Recommendation) recommend.Recommendation {
	t.Helper()
	r, err := e.recs.Get(e.ctx, e.sc.DynamoDB, e.org, rec.Workspace, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// history lists rec's transitions.
func (e *env) history(t *testing.T, rec recommend.Recommendation) []recommend.Transition {
	t.Helper()
	h, err := e.recs.History(e.ctx, e.sc.DynamoDB, e.org, rec.Workspace, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// alias reads the alias as the gateway routes it now.
func (e *env) alias(t *testing.T, rec recommend.Recommendation) workspace.Alias {
	t.Helper()
	list, err := e.aliases.ListAliases(e.ctx, e.sc.DynamoDB, e.org, rec.Workspace)
	if err != nil || len(list) != 1 {
		t.Fatalf("aliases: %+v %v", list, err)
	}
	return list[0]
}

// audited lists the org's audit entries of action on rec.
func (e *env) audited(t *testing.T, rec recommend.Recommendation, action string) []audit.Entry {
	t.Helper()
	list, _, err := e.audits.List(e.ctx, e.sc.DynamoDB, e.org, audit.Filter{Action: action, TargetID: rec.ID})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// check returns the verification's check of signal.
func check(t *testing.T, v *recommend.Verification, signal string) recommend.Check {
	t.Helper()
	if v == nil {
		t.Fatal("no verification stored")
	}
	for _, c := range v.Checks {
		if c.Signal == signal {
			return c
		}
	}
	t.Fatalf("no %s check in %+v", signal, v.Checks)
	return recommend.Check{}
}

// onlyRegressed fails unless exactly the checks of signals regressed.
func onlyRegressed(t *testing.T, v *recommend.Verification, signals ...string) {
	t.Helper()
	want := map[string]bool{}
	for _, s := range signals {
		want[s] = true
	}
	for _, c := range v.Checks {
		if c.Regressed != want[c.Signal] {
			t.Errorf("%s regressed = %v, want %v: %+v", c.Signal, c.Regressed, want[c.Signal], c)
		}
	}
	if v.Regressed != (len(signals) > 0) {
		t.Errorf("verification regressed = %v, want %v", v.Regressed, len(signals) > 0)
	}
}
