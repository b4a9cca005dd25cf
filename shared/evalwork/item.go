package evalwork

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/evalcall"
	"github.com/tollgate-dev/tollgate/shared/evalplan"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/score"
)

type itemResult int

const (
	resultSkipped itemResult = iota
	resultScored
	resultErrored
	resultDead
)

// errStopped ends a chunk: the run may make no more calls.
var errStopped = errors.New("the run stopped")

// Roles of an item's calls.
const (
	RoleBaseline  = "baseline"
	RoleCandidate = "candidate"
)

// itemState is one item in progress: the calls already made for it and
// their costs.
type itemState struct {
	env    *runEnv
	ref    Ref
	calls  map[string]evalrun.Call
	made   []string  // roles with a call record, for tidying
	judge  int       // judge calls so far, naming the next one
	leased time.Time // when this worker last claimed the item
}

// renew extends the item's lease before a call once a third of it has
// passed, so a live worker never loses an item it is scoring.
func (st *itemState) renew(ctx context.Context, w *Worker) error {
	if time.Since(st.leased) < w.cfg.LeaseFor/3 {
		return nil
	}
	now := time.Now()
	if err := w.cfg.Runs.Lease(ctx, st.env.sc.DynamoDB, st.env.run.Org, st.env.run.ID, st.ref.Index, st.env.owner, w.cfg.LeaseFor); err != nil {
		return err
	}
	st.leased = now
	return nil
}

func (s *itemState) cost() (total, judge int64) {
	for role, c := range s.calls {
		total += c.CostNano
		if role != RoleBaseline && role != RoleCandidate {
			judge += c.CostNano
		}
	}
	return total, judge
}

// item scores one item. A nil error means the item has its outcome (or
// had it already); errStopped stops the chunk; any other error is
// transient and the chunk is retried.
func (w *Worker) item(ctx context.Context, env *runEnv, ref Ref, lastReceive bool) (res itemResult, err error) {
	db := env.sc.DynamoDB
	if ref.Index >= env.run.Items {
		return resultSkipped, nil // not an item of this run: nothing to score
	}
	done, err := w.cfg.Runs.Done(ctx, db, env.run.Org, env.run.ID, ref.Index)
	if err != nil || done {
		return resultSkipped, err
	}
	leased := time.Now()
	if err := w.cfg.Runs.Lease(ctx, db, env.run.Org, env.run.ID, ref.Index, env.owner, w.cfg.LeaseFor); err != nil {
		return resultSkipped, err // held by another worker: retry the chunk later
	}
	calls, err := w.cfg.Runs.Calls(ctx, db, env.run.Org, env.run.ID, ref.Index)
	if err != nil {
		return resultSkipped, err
	}
	st := &itemState{env: env, ref: ref, calls: calls, leased: leased}
	for role := range calls {
		st.made = append(st.made, role)
	}
	defer func() {
		if v := recover(); v != nil {
			w.cfg.Logger.ErrorContext(ctx, "panic scoring an evaluation item", "run", env.run.ID, "item", ref.Index,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = apperr.New(apperr.Internal, "worker_panic", "internal error")
		}
		if err != nil && !errors.Is(err, errStopped) && lastReceive {
			res, err = w.finish(ctx, st, evalrun.Result{Error: apperr.As(err).Code, Dead: true})
		}
	}()
	result, err := w.score(ctx, st)
	switch {
	case errors.Is(err, errStopped):
		if len(st.calls) > 0 { // calls were paid for: record them, so spend adds up
			if _, ferr := w.finish(ctx, st, evalrun.Result{Error: "run_stopped"}); ferr != nil {
				w.cfg.Logger.WarnContext(ctx, "record a stopped item", "run", env.run.ID, "item", ref.Index, "error", ferr)
			}
		} else if rerr := w.cfg.Runs.Release(ctx, db, env.run.Org, env.run.ID, ref.Index, env.owner); rerr != nil {
			w.cfg.Logger.WarnContext(ctx, "release item", "run", env.run.ID, "item", ref.Index, "error", rerr)
		}
		return resultSkipped, errStopped
	case err != nil && evalcall.Transient(err):
		return resultSkipped, err
	case err != nil: // the item's final outcome: a refused request, an unparseable verdict, …
		return w.finish(ctx, st, evalrun.Result{Error: apperr.As(err).Code})
	}
	return w.finish(ctx, st, result)
}

// finish records the item's result with the costs of its calls — the
// same transaction deletes their sealed answers — and tells the source.
func (w *Worker) finish(ctx context.Context, st *itemState, r evalrun.Result) (itemResult, error) {
	env := st.env
	r.Index = st.ref.Index
	r.CostNano, r.JudgeNano = st.cost()
	if b, ok := st.calls[RoleBaseline]; ok {
		r.BaselineNano, r.BaselineLatencyMS, r.BaselineTokensOut = b.CostNano, b.LatencyMS, b.CompletionTokens
	}
	if c, ok := st.calls[RoleCandidate]; ok {
		r.CandidateNano, r.CandidateLatencyMS, r.CandidateTokensOut = c.CostNano, c.LatencyMS, c.CompletionTokens
	}
	if r.Error != "" {
		r.Baseline, r.Candidate = 0, 0
	}
	recorded, err := w.cfg.Runs.Record(ctx, env.sc.DynamoDB, env.run.Org, env.run.ID, r, st.made...)
	if err != nil {
		return resultSkipped, err
	}
	if err := env.src.Scored(ctx, st.ref.Ref); err != nil {
		w.cfg.Logger.WarnContext(ctx, "tidy a scored source item", "run", env.run.ID, "item", st.ref.Index, "error", err)
	}
	switch {
	case !recorded:
		return resultSkipped, nil
	case r.Dead:
		w.cfg.Logger.WarnContext(ctx, "evaluation item dead-lettered", "org", env.run.Org, "run", env.run.ID,
			"item", st.ref.Index, "error_code", r.Error)
		return resultDead, nil
	case r.Error != "":
		return resultErrored, nil
	}
	return resultScored, nil
}

// score makes the item's calls and grades the answers.
func (w *Worker) score(ctx context.Context, st *itemState) (evalrun.Result, error) {
	env := st.env
	entry, err := env.src.Entry(ctx, st.ref.Ref)
	if err != nil {
		return evalrun.Result{}, err
	}
	var baseline string
	if env.run.Baseline == evalplan.LiveBaseline {
		if entry.Live == nil {
			return evalrun.Result{}, apperr.New(apperr.Invalid, "no_live_answer", "the item has no live answer to compare with")
		}
		baseline = entry.Live.Output
	} else if baseline, err = st.answer(ctx, w, RoleBaseline, env.run.Baseline, entry.Item.Messages); err != nil {
		return evalrun.Result{}, err
	}
	candidate, err := st.answer(ctx, w, RoleCandidate, env.run.Candidate, entry.Item.Messages)
	if err != nil {
		return evalrun.Result{}, err
	}
	if entry.Item.Reference == "" && env.scorer.NeedsReference() {
		// Live traffic has no expected answer: the baseline's is the
		// reference, and the score says how often the candidate agrees.
		entry.Item.Reference = baseline
	}
	scorer, err := env.scorer.Build(judgeCompleter{w: w, st: st}, env.run.JudgeModel)
	if err != nil {
		return evalrun.Result{}, err
	}
	if j, ok := scorer.(*score.Judge); ok && env.scorer.Mode == evalplan.ModePairwise {
		prefBaseline, err := j.ComparePair(ctx, entry.Item, baseline, candidate)
		if err != nil {
			return evalrun.Result{}, err
		}
		return evalrun.Result{Baseline: prefBaseline, Candidate: 1 - prefBaseline}, nil
	}
	b, err := scorer.Score(ctx, entry.Item, baseline)
	if err != nil {
		return evalrun.Result{}, err
	}
	c, err := scorer.Score(ctx, entry.Item, candidate)
	if err != nil {
		return evalrun.Result{}, err
	}
	return evalrun.Result{Baseline: b.Score, Candidate: c.Score}, nil
}

// answer returns the text of the item's call role to model: the sealed
// answer of a call already made, or a new metered call.
func (st *itemState) answer(ctx context.Context, w *Worker, role, model string, msgs []chat.Message) (string, error) {
	ceiling := st.env.run.MaxOutputTokens
	if ceiling <= 0 { // as the pre-flight estimate priced it
		ceiling = evalplan.DefaultOutputTokens
	}
	resp, err := st.call(ctx, w, role, &chat.Request{Model: model, Messages: msgs}, ceiling)
	if err != nil {
		return "", err
	}
	return resp.Choices[0].Message.Content.String(), nil
}

// call makes (or replays) one call of the item.
func (st *itemState) call(ctx context.Context, w *Worker, role string, req *chat.Request, ceiling int64) (*chat.Response, error) {
	env := st.env
	record := evalrun.CallRecord(env.run.ID, st.ref.Index, role)
	if c, ok := st.calls[role]; ok {
		text, err := env.keys.Open(ctx, evalrun.PurposeOutput, record, c.Sealed)
		if err != nil {
			return nil, fmt.Errorf("open call record: %w", err)
		}
		return textResponse(string(text)), nil
	}
	var made evalrun.Call
	res, err := w.cfg.Calls.Complete(ctx, env.sc.DynamoDB, evalcall.Call{
		Scope: env.scope, Snapshot: env.snap, Request: req, Ceiling: ceiling, Extra: env.extra,
		RequestID: env.run.ID + "-" + strconv.FormatInt(st.ref.Index, 10) + "-" + role + "-" + env.owner,
		Check: func(ctx context.Context) error {
			halt, err := w.cfg.Runs.Check(ctx, env.sc.DynamoDB, env.run.Org, env.run.ID)
			switch {
			case err != nil:
				return err
			case halt == evalrun.HaltOrgKilled:
				w.stop(ctx, env, evalrun.Cancelled, "the org's evaluation kill switch is on")
				return errStopped
			case halt == evalrun.HaltAtCap:
				w.stop(ctx, env, evalrun.AbortedByCap, "the run's spend reached its cap")
				return errStopped
			case halt != "":
				return errStopped
			}
			return st.renew(ctx, w)
		},
		Record: func(resp *chat.Response, cost pricing.NanoUSD, u chat.Usage) ([]types.TransactWriteItem, error) {
			if len(resp.Choices) == 0 {
				return nil, errors.New("the provider returned no choices")
			}
			sealed, err := env.keys.Seal(ctx, evalrun.PurposeOutput, record, []byte(resp.Choices[0].Message.Content.String()))
			if err != nil {
				return nil, err
			}
			made = evalrun.Call{Index: st.ref.Index, Role: role, Model: req.Model, Sealed: sealed, CostNano: int64(cost),
				PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens}
			wr, err := w.cfg.Runs.CallWrite(env.run.Org, env.run.ID, made)
			return []types.TransactWriteItem{wr}, err
		},
	})
	var e *apperr.Error
	if errors.As(err, &e) && e.Kind == apperr.BudgetExhausted {
		w.stop(ctx, env, evalrun.AbortedByCap, e.Message)
		return nil, errStopped
	}
	if err != nil {
		return nil, err
	}
	if made.Sealed == "" || len(res.Response.Choices) == 0 {
		return nil, apperr.New(apperr.UpstreamFailed, "upstream_invalid_response", "the provider returned no answer")
	}
	made.LatencyMS = res.Latency.Milliseconds()
	st.calls[role] = made
	st.made = append(st.made, role)
	return res.Response, nil
}

func textResponse(text string) *chat.Response {
	return &chat.Response{Choices: []chat.Choice{{Message: chat.Message{Role: chat.RoleAssistant, Content: chat.TextContent(text)}}}}
}

// judgeCompleter sends the judge's calls through the item's metered calls,
// naming them in order so a retried item replays them.
type judgeCompleter struct {
	w  *Worker
	st *itemState
}

func (j judgeCompleter) Complete(ctx context.Context, req *chat.Request) (*chat.Response, error) {
	j.st.judge++
	ceiling := int64(score.JudgeMaxTokens)
	if req.MaxTokens != nil {
		ceiling = *req.MaxTokens
	}
	return j.st.call(ctx, j.w, fmt.Sprintf("judge#%d", j.st.judge), req, ceiling)
}

func budgetNano(v int64) pricing.NanoUSD { return pricing.NanoUSD(v) }
