package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/budget"
	"github.com/tollgate-dev/tollgate/shared/jobcheckpoint"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/trace"
)

// Registry is what the job does with its own role: list the org registry,
// keep its checkpoint and delete expired global token lookups.
type Registry interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Tenants hands out one org's scoped clients: all of an org's work is done
// through them.
type Tenants interface {
	For(ctx context.Context, org string) (*tenant.Scoped, error)
}

// Config holds the job's dependencies and bounds.
type Config struct {
	Table    string
	Registry Registry
	Tenants  Tenants
	Traces   *trace.Store
	Budget   *budget.Gate
	Logger   *slog.Logger
	// Clock decides what is due; tests move it. Default time.Now.
	Clock func() time.Time
	// MaxRun bounds one invocation's work; the rest waits for the next
	// invocation. Default 4 minutes (the function's timeout is 5).
	MaxRun time.Duration
	// Margin is kept free before the context's deadline. Default 20 seconds.
	Margin time.Duration
	// TokenKeep is how long an expired token stays listed (as expired)
	// before its record is purged. Its lookup goes as soon as it expires.
	// Default 30 days.
	TokenKeep time.Duration
	// RedactBatch is how many traces one redaction query takes. Default 100.
	RedactBatch int
}

// Job is the retention job. Run it from one invocation at a time (the
// function's reserved concurrency is 1).
type Job struct{ cfg Config }

// New returns a Job with cfg's defaults filled in.
func New(cfg Config) *Job {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxRun == 0 {
		cfg.MaxRun = 4 * time.Minute
	}
	if cfg.Margin == 0 {
		cfg.Margin = 20 * time.Second
	}
	if cfg.TokenKeep == 0 {
		cfg.TokenKeep = 30 * 24 * time.Hour
	}
	if cfg.RedactBatch == 0 {
		cfg.RedactBatch = 100
	}
	return &Job{cfg: cfg}
}

// Report is what one invocation did.
type Report struct {
	Orgs         int      `json:"orgs"`     // orgs finished by this invocation
	Released     int      `json:"released"` // expired reservations returned to their budgets
	Redacted     int      `json:"redacted"`
	Deleted      int      `json:"deleted"` // traces past retention
	TokensPurged int      `json:"tokens_purged"`
	Failed       []string `json:"failed,omitempty"` // orgs whose work failed; retried next pass
	// Complete says the pass over every org finished; otherwise the next
	// invocation resumes from the checkpoint.
	Complete bool `json:"complete"`
}

// Run does as much of the current pass as its time bound allows, saving
// the checkpoint after every unit of work. It returns an error only when
// it could not make progress at all (registry or checkpoint unreachable, or
// ctx ended); an org whose work fails is logged, reported and retried on
// the next pass, so one broken org never stalls the others.
func (j *Job) Run(ctx context.Context) (Report, error) {
	var rep Report
	stop := j.stopper(ctx)
	cp, err := j.loadCheckpoint(ctx)
	if err != nil {
		return rep, err
	}
	now := j.cfg.Clock().UTC()
	if cp.PassStarted == 0 {
		cp.PassStarted = now.Unix()
	}
	j.cfg.Logger.InfoContext(ctx, "retention run", "after", cp.After, "org", cp.Org, "step", string(cp.Step),
		"pass_started", time.Unix(cp.PassStarted, 0).UTC())
	var start map[string]types.AttributeValue
	if cp.After != "" {
		start = map[string]types.AttributeValue{"pk": str(registryPK), "sk": str(registrySK(cp.After))}
	}
	for {
		page, err := j.cfg.Registry.Query(ctx, &dynamodb.QueryInput{
			TableName:              aws.String(j.cfg.Table),
			KeyConditionExpression: aws.String("pk = :pk AND begins_with(sk, :org)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": str(registryPK), ":org": str(registrySK("")),
			},
			ProjectionExpression: aws.String("org"),
			ExclusiveStartKey:    start,
			Limit:                aws.Int32(100),
		})
		if err != nil {
			return rep, fmt.Errorf("list org registry: %w", err)
		}
		for _, it := range page.Items {
			org, _ := it["org"].(*types.AttributeValueMemberS)
			if org == nil {
				continue
			}
			finished, err := j.runOrg(ctx, &cp, org.Value, now, stop, &rep)
			if err != nil {
				return rep, err
			}
			if !finished {
				return rep, nil // paused by the time bound; the checkpoint says where
			}
			if stop() {
				return rep, nil
			}
		}
		if page.LastEvaluatedKey == nil {
			break
		}
		start = page.LastEvaluatedKey
	}
	j.cfg.Logger.InfoContext(ctx, "retention pass complete", "passes", cp.Passes+1,
		"pass_started", time.Unix(cp.PassStarted, 0).UTC())
	if err := j.saveCheckpoint(ctx, checkpoint{Passes: cp.Passes + 1, LastPassEnd: now.Unix()}); err != nil {
		return rep, err
	}
	rep.Complete = true
	return rep, nil
}

// stopper says when this invocation should stop taking new work: after
// MaxRun, or Margin before ctx's deadline, whichever comes first.
func (j *Job) stopper(ctx context.Context) func() bool {
	deadline := time.Now().Add(j.cfg.MaxRun)
	if dl, ok := ctx.Deadline(); ok && dl.Add(-j.cfg.Margin).Before(deadline) {
		deadline = dl.Add(-j.cfg.Margin)
	}
	return func() bool { return ctx.Err() != nil || !time.Now().Before(deadline) }
}

// runOrg does org's remaining steps from the checkpoint. finished is false
// when the time bound paused it (the checkpoint then holds its position).
// An org's own failure is logged and reported, and the org counts as done
// for this pass; a failure of the checkpoint or of ctx is returned.
func (j *Job) runOrg(ctx context.Context, cp *checkpoint, org string, now time.Time, stop func() bool, rep *Report) (bool, error) {
	if cp.Org != org { // a fresh org: start at its first step
		cp.Org, cp.Step, cp.Group, cp.Cursor = org, steps[0], trace.Expired{}, trace.DeleteCursor{}
	}
	w := orgWork{job: j, org: org, now: now, stop: stop}
	finished, err := w.run(ctx, cp)
	rep.Released += w.released
	rep.Redacted += w.redacted
	rep.Deleted += w.deleted
	rep.TokensPurged += w.tokens
	if ctx.Err() != nil {
		return false, fmt.Errorf("retention of %s: %w", org, ctx.Err())
	}
	var cpErr *jobcheckpoint.SaveError
	if errors.As(err, &cpErr) {
		return false, err
	}
	log := j.cfg.Logger.With("org", org, "released", w.released, "redacted", w.redacted,
		"deleted", w.deleted, "tokens_purged", w.tokens)
	switch {
	case err != nil:
		rep.Failed = append(rep.Failed, org)
		log.ErrorContext(ctx, "retention org failed; retried next pass", "step", string(cp.Step), "error", err)
	case !finished:
		log.InfoContext(ctx, "retention paused", "step", string(cp.Step), "day", cp.Group.Day, "shard", cp.Cursor.Shard)
		return false, nil
	default:
		log.InfoContext(ctx, "retention org done")
	}
	rep.Orgs++
	cp.After, cp.Org, cp.Step, cp.Group, cp.Cursor = org, "", "", trace.Expired{}, trace.DeleteCursor{}
	if err := j.saveCheckpoint(ctx, *cp); err != nil {
		return false, err
	}
	return true, nil
}

// The org registry: one global item per org, written when the org is
// created, read only by scheduled jobs.
const registryPK = "REGISTRY"

func registrySK(org string) string { return "ORG#" + org }

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
