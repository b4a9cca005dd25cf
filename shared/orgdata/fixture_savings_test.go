package orgdata_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/dataset"
	"github.com/tollgate-dev/tollgate/shared/drift"
	"github.com/tollgate-dev/tollgate/shared/evalrun"
	"github.com/tollgate-dev/tollgate/shared/feedback"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/idempotency"
	"github.com/tollgate-dev/tollgate/shared/recommend"
	"github.com/tollgate-dev/tollgate/shared/shadow"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// legacyAlias is an alias of every fixture workspace that only traces and
// their aggregates name (no alias item or history), as an alias saved
// before alias history existed would be; it holds a shadow sample.
const legacyAlias = "legacy"

// recordingSealer seals with the org's keys and keeps each sealed value in
// the fixture, so the tests can check it never leaks and stops opening.
type recordingSealer struct{ f *fixture }

func (r recordingSealer) Org() string { return r.f.org }

func (r recordingSealer) Seal(ctx context.Context, purpose, record string, plain []byte) (string, error) {
	v, err := envelope.Seal(ctx, r.f.scope, purpose, record, plain)
	if err != nil {
		return "", fmt.Errorf("seal %s: %w", purpose, err)
	}
	r.f.sealed = append(r.f.sealed, sealedValue{purpose, record, v})
	return v, nil
}

// addSavings gives workspace ws the savings engine's data, written through
// the real stores: a dataset, an evaluation run on it (running, with a
// transition, a result, a lease, a recorded call and its budget counters),
// shadow samples of the "fast" alias and of legacyAlias, a recommendation
// (applied in the first workspace, so it is in the live index), and
// feedback on traceID and on a trace the table does not hold.
func (f *fixture) addSavings(t *testing.T, i int, ws, traceID string, gate *budget.Gate, traces *trace.Store) {
	t.Helper()
	ctx, db, table, now := ctxT(t), f.sc.DynamoDB, stack.TableName, time.Now().UTC()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sealer := recordingSealer{f}

	_, err := traces.Record(ctx, db, &trace.Trace{ID: id.New(id.Trace), Org: f.org, Workspace: ws, Source: "gateway", Time: now,
		Alias: legacyAlias, Provider: "openai", Model: "gpt-4o-mini", Status: trace.StatusOK, TokensIn: 7, CostNano: 20}, 30*24*time.Hour)
	must(err)

	text := fmt.Sprintf("DATASET-PLAINTEXT-%s", ws)
	f.plains = append(f.plains, text)
	meta, err := dataset.NewStore(dataset.Config{Table: table}).Put(ctx, db, sealer, f.org, ws, "golden",
		[]dataset.Item{{Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent(text)}}, Reference: "yes"}})
	must(err)

	runs := evalrun.New(table, nil)
	run, err := runs.Create(ctx, db, evalrun.Run{Org: f.org, Workspace: ws, Baseline: "openai/gpt-4o", Candidate: "openai/gpt-4o-mini",
		Source: "dataset:" + meta.ID, Alias: "fast", Scorer: "exact", Items: 2, Chunks: 1, CapNano: 1_000_000_000})
	must(err)
	must(runs.Move(ctx, db, f.org, run.ID, evalrun.Pending, evalrun.Running, "started"))
	must(runs.Lease(ctx, db, f.org, run.ID, 1, "worker-1", time.Minute))
	answer := fmt.Sprintf("EVAL-ANSWER-PLAINTEXT-%s", ws)
	f.plains = append(f.plains, answer)
	record := evalrun.CallRecord(run.ID, 1, "baseline")
	sealedAnswer, err := sealer.Seal(ctx, evalrun.PurposeOutput, record, []byte(answer))
	must(err)
	call, err := runs.CallWrite(f.org, run.ID, evalrun.Call{Index: 1, Role: "baseline", Model: "openai/gpt-4o", Sealed: sealedAnswer, CostNano: 900})
	must(err)
	_, err = db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{call}})
	must(err)
	_, err = runs.Record(ctx, db, f.org, run.ID, evalrun.Result{Index: 0, Baseline: 1, Candidate: 1, CostNano: 1200})
	must(err)
	res, err := gate.Reserve(ctx, db, budget.Request{Org: f.org, Workspace: ws, RequestID: id.New(id.Request), Cost: 2000, Tokens: 50,
		Limits: budget.Limits{OrgCap: 1_000_000_000_000, WorkspaceCap: 100_000_000_000},
		Extra: []budget.Cap{{Scope: run.ID, Label: "this evaluation run's", Cap: 1_000_000_000, Lifetime: true},
			{Scope: "eval:" + ws, Label: "this workspace's evaluation", Cap: 10_000_000_000}}})
	must(err)
	must(gate.Settle(ctx, db, res, budget.Outcome{Cost: 1200, Tokens: 40}))

	samples := shadow.NewStore(table, nil)
	for _, alias := range []string{"fast", legacyAlias} {
		out := fmt.Sprintf("SHADOW-PLAINTEXT-%s-%s", ws, alias)
		f.plains = append(f.plains, out)
		_, err := samples.Put(ctx, db, sealer, f.org, shadow.Sample{Workspace: ws, Alias: alias, Model: "openai/gpt-4o-mini",
			Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("question " + out)}}, Output: out,
			CostNano: 3000, PromptTokens: 40, CompletionTokens: 20})
		must(err)
	}

	recs := recommend.NewStore(table, nil)
	rec, _, err := recs.Create(ctx, db, recommend.Recommendation{Org: f.org, Workspace: ws, Run: run.ID, Alias: "fast",
		Baseline: "openai/gpt-4o", Candidate: "openai/gpt-4o-mini", Scorer: "exact"})
	must(err)
	if i == 0 {
		_, err = recs.Update(ctx, db, rec, "usr_test", "applied", func(r *recommend.Recommendation) {
			r.State, r.Apply = recommend.Applied, &recommend.Apply{Version: 2, Previous: 1, By: "usr_test", At: now}
		})
		must(err)
	}

	scores := feedback.NewStore(table)
	for _, tr := range []string{traceID, "external-" + ws} {
		must(scores.Put(ctx, db, f.org, feedback.Score{TraceID: tr, Workspace: ws, Value: 0.75, Source: feedback.SourceIngest}))
	}
}

// addOrgSavings gives the org what the savings engine keeps per org: the
// evaluation kill switch, a drift flag, and a remembered idempotent answer.
func (f *fixture) addOrgSavings(t *testing.T) {
	t.Helper()
	ctx, db, table := ctxT(t), f.sc.DynamoDB, stack.TableName
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(evalrun.New(table, nil).SetOrgKill(ctx, db, f.org, false))
	_, err := drift.NewStore(table, nil).Put(ctx, db, f.org, drift.Flag{Model: "openai/gpt-4o-mini", Metric: drift.Latency,
		Recent: drift.Side{End: time.Now().UTC().Truncate(time.Hour)}})
	must(err)

	keys := idempotency.New(table, envelope, nil)
	key := f.tokIDs[0] + ":create-member"
	_, err = keys.Begin(ctx, db, f.scope, key, idempotency.Fingerprint("POST /v1/members", nil))
	must(err)
	body := fmt.Sprintf("IDEMPOTENT-PLAINTEXT-%s", id.New(id.Key))
	f.plains = append(f.plains, body)
	raw, err := json.Marshal(map[string]string{"answer": body})
	must(err)
	must(keys.Finish(ctx, db, f.scope, key, idempotency.Response{Status: 201, ContentType: "application/json", Body: raw}))
}
