package api

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/drift"
	"github.com/tollgate-dev/tollgate/shared/evalplan"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/evalwork"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// EvalQueue takes the chunks of a new run.
type EvalQueue interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// EvalConfig is what the evaluation routes need.
type EvalConfig struct {
	Runs    *evalrun.Store
	Sources evalwork.Sources
	Queue   EvalQueue
	// QueueURL is the eval queue's URL.
	QueueURL string
	// MockEnabled resolves models as the worker will (the built-in mock).
	MockEnabled bool
	// Recommendations, Actions and Drift serve the savings engine's
	// recommendation and drift routes.
	Recommendations *recommend.Store
	Actions         *recommend.Actions
	Drift           *drift.Store
}

var errEvalsDisabled = apperr.New(apperr.Unavailable, "evals_disabled", "evaluations are not configured in this deployment")

func (c *call) evals() (*EvalConfig, error) {
	if c.srv.cfg.Evals == nil {
		return nil, errEvalsDisabled
	}
	return c.srv.cfg.Evals, nil
}

// evalInput is a run request.
type evalInput struct {
	Baseline        string                `json:"baseline"`
	Candidate       string                `json:"candidate"`
	Source          string                `json:"source"`
	Scorer          evalplan.ScorerConfig `json:"scorer"`
	SampleSize      int                   `json:"sample_size"`
	MaxOutputTokens int64                 `json:"max_output_tokens"`
	CapNano         int64                 `json:"cap_nano"`
	// Alias is the workspace alias a recommendation from this run would
	// change, when neither the baseline nor the source names one.
	Alias string `json:"alias"`
	// DryRun returns the pre-flight estimate without starting the run.
	DryRun bool `json:"dry_run"`
}

func (in evalInput) spec() evalplan.Spec {
	return evalplan.Spec{Baseline: in.Baseline, Candidate: in.Candidate, Source: in.Source, Scorer: in.Scorer,
		SampleSize: in.SampleSize, MaxOutputTokens: in.MaxOutputTokens, CapNano: in.CapNano}
}

// evalRefusal is a run refused before it started, with the estimate that
// did not fit, so the caller can lower the sample or raise the cap.
type evalRefusal struct {
	errorBody
	Estimate  evalplan.Estimate `json:"estimate"`
	Remaining *int64            `json:"eval_budget_remaining_nano,omitempty"`
}

// createEval prices a run before any provider call — every item's prompt
// counted, every output at its ceiling, judge calls included — refuses it
// when that exceeds the run's cap or what is left of the workspace's
// monthly evaluation budget, and otherwise starts it: the run moves to
// running and its chunks go onto the eval queue.
func createEval(c *call) (int, any, error) {
	ev, err := c.evals()
	if err != nil {
		return 0, nil, err
	}
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	var in evalInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	spec := in.spec()
	if err := spec.Check(); err != nil {
		return 0, nil, err
	}
	db := c.scoped.DynamoDB
	snap, err := c.srv.cfg.Workspaces.Load(c.ctx, db, c.org(), e.ID)
	if err != nil {
		return 0, nil, err
	}
	scope := secrets.Scope{Org: c.org(), DynamoDB: db, KMS: c.scoped.KMS}
	refs, entries, err := ev.Sources.Select(c.ctx, db, orgSealer{c.srv.cfg.Secrets, scope}, c.org(), e.ID, in.Source, in.SampleSize, seed())
	if err != nil {
		return 0, nil, err
	}
	alias, baseTarget, err := runAlias(snap, in, ev.MockEnabled)
	if err != nil {
		return 0, nil, err
	}
	items := make([]evalplan.Item, len(entries))
	for i, en := range entries {
		items[i] = evalplan.Item{Item: en.Item, Live: en.Live != nil}
	}
	est, err := evalplan.Plan(snap, spec, items, ev.MockEnabled)
	if err != nil {
		return 0, nil, err
	}
	if est.TotalNano > in.CapNano {
		return refuse(apperr.New(apperr.Invalid, "estimate_exceeds_cap", fmt.Sprintf(
			"the run's worst case (%d nano-USD for %d calls) exceeds its cap of %d; lower sample_size or max_output_tokens, or raise cap_nano",
			est.TotalNano, est.Calls, in.CapNano)).WithParam("cap_nano"), est, nil)
	}
	sp, err := c.srv.cfg.Budget.Read(c.ctx, db, c.org(), evalwork.EvalScope(e.ID), c.srv.cfg.Clock())
	if err != nil {
		return 0, nil, err
	}
	remaining := int64(snap.Settings.EvalMonthlyCap - sp.Spent - sp.Reserved)
	if est.TotalNano > remaining {
		return refuse(apperr.New(apperr.Invalid, "eval_budget_insufficient", fmt.Sprintf(
			"the run's worst case (%d nano-USD) exceeds what is left of this workspace's monthly evaluation budget (%d)",
			est.TotalNano, max(remaining, 0))).WithParam("cap_nano"), est, &remaining)
	}
	if in.DryRun {
		return http.StatusOK, map[string]any{"estimate": est, "eval_budget_remaining_nano": remaining}, nil
	}
	scorer, err := json.Marshal(in.Scorer)
	if err != nil {
		return 0, nil, fmt.Errorf("encode scorer: %w", err)
	}
	chunks := int64((len(refs) + evalwork.ChunkSize - 1) / evalwork.ChunkSize)
	run, err := ev.Runs.Create(c.ctx, db, evalrun.Run{
		Org: c.org(), Workspace: e.ID, Baseline: in.Baseline, Candidate: in.Candidate, Source: in.Source,
		BaselineTarget: baseTarget, Alias: alias,
		Scorer: in.Scorer.Type, ScorerConfig: string(scorer), JudgeModel: est.JudgeModel, Mode: judgeMode(in.Scorer),
		MaxOutputTokens: spec.OutputCeiling(), Items: int64(len(refs)), Chunks: chunks,
		CapNano: in.CapNano, EstimateNano: est.TotalNano, CreatedBy: c.principal.Member,
	})
	if err != nil {
		return 0, nil, err
	}
	if err := ev.Runs.Move(c.ctx, db, c.org(), run.ID, evalrun.Pending, evalrun.Running, fmt.Sprintf("queued %d chunks", chunks)); err != nil {
		return 0, nil, err
	}
	if err := enqueue(c.ctx, ev, evalwork.Chunks(c.org(), e.ID, run.ID, refs)); err != nil {
		c.srv.cfg.Logger.ErrorContext(c.ctx, "enqueue evaluation", "run", run.ID, "error", err)
		if merr := ev.Runs.Move(c.ctx, db, c.org(), run.ID, evalrun.Running, evalrun.Failed, "the chunks could not be queued"); merr != nil {
			c.srv.cfg.Logger.ErrorContext(c.ctx, "fail evaluation run", "run", run.ID, "error", merr)
		}
		return 0, nil, apperr.Wrap(err, apperr.Unavailable, "eval_queue_unavailable", "the run could not be queued; it was marked failed").
			WithRetryAfter(5e9)
	}
	if err := c.record("eval.create", "eval", run.ID, nil, map[string]any{
		"baseline": in.Baseline, "candidate": in.Candidate, "source": in.Source, "scorer": in.Scorer.Type,
		"items": len(refs), "cap_nano": in.CapNano, "estimate_nano": est.TotalNano}); err != nil {
		return 0, nil, err
	}
	run.State = evalrun.Running
	return http.StatusCreated, map[string]any{"run": run, "estimate": est}, nil
}

func refuse(e *apperr.Error, est evalplan.Estimate, remaining *int64) (int, any, error) {
	var body evalRefusal
	body.Error.Code, body.Error.Message, body.Error.Param = e.Code, e.Message, e.Param
	body.Estimate, body.Remaining = est, remaining
	return http.StatusBadRequest, body, nil
}

func judgeMode(s evalplan.ScorerConfig) string {
	if !s.IsJudge() {
		return ""
	}
	if s.Mode == "" {
		return evalplan.ModeGrade
	}
	return s.Mode
}

func seed() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// enqueue sends the chunks ten to a batch, resending entries SQS refused.
func enqueue(ctx context.Context, ev *EvalConfig, msgs []evalwork.Message) error {
	for start := 0; start < len(msgs); start += 10 {
		var entries []sqstypes.SendMessageBatchRequestEntry
		for i, m := range msgs[start:min(start+10, len(msgs))] {
			body, err := json.Marshal(m)
			if err != nil {
				return fmt.Errorf("encode chunk: %w", err)
			}
			entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(body))})
		}
		for try := 0; len(entries) > 0; try++ {
			if try == 3 {
				return errors.New("the queue kept refusing chunks")
			}
			out, err := ev.Queue.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(ev.QueueURL), Entries: entries})
			if err != nil {
				return fmt.Errorf("send chunks: %w", err)
			}
			failed := map[string]bool{}
			for _, f := range out.Failed {
				failed[aws.ToString(f.Id)] = true
			}
			var again []sqstypes.SendMessageBatchRequestEntry
			for _, en := range entries {
				if failed[aws.ToString(en.Id)] {
					again = append(again, en)
				}
			}
			entries = again
		}
	}
	return nil
}

// runView is a run with its live spend and progress.
type runView struct {
	evalrun.Run
	// LiveSpentNano is settled spend on the run's cap counter; InFlightNano
	// is held by calls under way. Their sum never exceeds the cap.
	LiveSpentNano int64                `json:"live_spent_nano"`
	InFlightNano  int64                `json:"in_flight_nano"`
	Done          int64                `json:"done"`
	History       []evalrun.Transition `json:"history,omitempty"`
}

func (c *call) runView(ev *EvalConfig, r evalrun.Run, history bool) (runView, error) {
	sp, err := c.srv.cfg.Budget.ReadLifetime(c.ctx, c.scoped.DynamoDB, c.org(), r.ID)
	if err != nil {
		return runView{}, err
	}
	v := runView{Run: r, LiveSpentNano: int64(sp.Spent), InFlightNano: int64(sp.Reserved), Done: r.Done()}
	if history {
		if v.History, err = ev.Runs.History(c.ctx, c.scoped.DynamoDB, c.org(), r.ID); err != nil {
			return runView{}, err
		}
	}
	return v, nil
}

// pathRun reads the run named in the path, of the path's workspace.
func pathRun(c *call) (*EvalConfig, evalrun.Run, error) {
	ev, err := c.evals()
	if err != nil {
		return nil, evalrun.Run{}, err
	}
	e, err := pathWorkspace(c)
	if err != nil {
		return nil, evalrun.Run{}, err
	}
	r, err := ev.Runs.Get(c.ctx, c.scoped.DynamoDB, c.org(), c.r.PathValue("run"))
	if err != nil {
		return nil, evalrun.Run{}, err
	}
	if r.Workspace != e.ID {
		return nil, evalrun.Run{}, evalrun.ErrNotFound
	}
	return ev, r, nil
}

func getEval(c *call) (int, any, error) {
	ev, r, err := pathRun(c)
	if err != nil {
		return 0, nil, err
	}
	v, err := c.runView(ev, r, true)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}

func listEvals(c *call) (int, any, error) {
	ev, err := c.evals()
	if err != nil {
		return 0, nil, err
	}
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	runs, err := ev.Runs.List(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, evalrun.MaxList)
	if err != nil {
		return 0, nil, err
	}
	out := make([]runView, 0, len(runs))
	for _, r := range runs {
		v, err := c.runView(ev, r, false)
		if err != nil {
			return 0, nil, err
		}
		out = append(out, v)
	}
	return http.StatusOK, map[string]any{"data": out}, nil
}

// cancelEval stops a run: workers check before every provider call, so at
// most the calls already under way finish.
func cancelEval(c *call) (int, any, error) {
	ev, r, err := pathRun(c)
	if err != nil {
		return 0, nil, err
	}
	if r.State.Final() {
		return 0, nil, apperr.New(apperr.Conflict, "run_not_running", "the run already ended ("+string(r.State)+")")
	}
	if err := ev.Runs.Move(c.ctx, c.scoped.DynamoDB, c.org(), r.ID, r.State, evalrun.Cancelled, "cancelled by "+c.principal.Member); err != nil {
		return 0, nil, err
	}
	if err := c.record("eval.cancel", "eval", r.ID, map[string]any{"state": r.State}, map[string]any{"state": evalrun.Cancelled}); err != nil {
		return 0, nil, err
	}
	r.State = evalrun.Cancelled
	v, err := c.runView(ev, r, true)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}

// evalSummary is the paired comparison of a run's scored items.
type evalSummary struct {
	Scored        int64   `json:"scored"`
	Errored       int64   `json:"errored"`
	DeadLettered  int64   `json:"dead_lettered"`
	MeanBaseline  float64 `json:"mean_baseline"`
	MeanCandidate float64 `json:"mean_candidate"`
	// MeanDiff is mean(candidate − baseline) over the scored items.
	MeanDiff      float64 `json:"mean_difference"`
	BaselineNano  int64   `json:"baseline_cost_nano"`
	CandidateNano int64   `json:"candidate_cost_nano"`
	JudgeNano     int64   `json:"judge_cost_nano"`
}

func evalResults(c *call) (int, any, error) {
	ev, r, err := pathRun(c)
	if err != nil {
		return 0, nil, err
	}
	results, err := ev.Runs.Results(c.ctx, c.scoped.DynamoDB, c.org(), r.ID)
	if err != nil {
		return 0, nil, err
	}
	var s evalSummary
	for _, res := range results {
		s.BaselineNano += res.BaselineNano
		s.CandidateNano += res.CandidateNano
		s.JudgeNano += res.JudgeNano
		switch {
		case res.Dead:
			s.DeadLettered++
		case res.Error != "":
			s.Errored++
		default:
			s.Scored++
			s.MeanBaseline += res.Baseline
			s.MeanCandidate += res.Candidate
		}
	}
	if s.Scored > 0 {
		s.MeanBaseline /= float64(s.Scored)
		s.MeanCandidate /= float64(s.Scored)
		s.MeanDiff = s.MeanCandidate - s.MeanBaseline
	}
	if results == nil {
		results = []evalrun.Result{}
	}
	return http.StatusOK, map[string]any{"run": r.ID, "state": r.State, "summary": s, "items": results}, nil
}

type killInput struct {
	On *bool `json:"on"`
}

// setEvalKill turns the org's evaluation kill switch on or off: while on,
// no run of the org makes another provider call.
func setEvalKill(c *call) (int, any, error) {
	ev, err := c.evals()
	if err != nil {
		return 0, nil, err
	}
	var in killInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	if in.On == nil {
		return 0, nil, apperr.New(apperr.Invalid, "invalid_kill_switch", "on (true or false) is required").WithParam("on")
	}
	before, err := ev.Runs.OrgKill(c.ctx, c.scoped.DynamoDB, c.org())
	if err != nil {
		return 0, nil, err
	}
	if err := ev.Runs.SetOrgKill(c.ctx, c.scoped.DynamoDB, c.org(), *in.On); err != nil {
		return 0, nil, err
	}
	if err := c.record("eval.kill_switch", "org", c.org(), map[string]any{"on": before}, map[string]any{"on": *in.On}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"on": *in.On}, nil
}

func getEvalKill(c *call) (int, any, error) {
	ev, err := c.evals()
	if err != nil {
		return 0, nil, err
	}
	on, err := ev.Runs.OrgKill(c.ctx, c.scoped.DynamoDB, c.org())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"on": on}, nil
}
