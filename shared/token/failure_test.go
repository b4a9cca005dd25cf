package token_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/token"
)

// failing is the real lookup client with chosen calls failing, as a
// throttled or unreachable DynamoDB would.
type failing struct {
	token.LookupDB
	put, update, delete bool
}

var errInjected = errors.New("injected: service unavailable")

func (f failing) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if f.put {
		return nil, errInjected
	}
	return f.LookupDB.PutItem(ctx, in, o...)
}

func (f failing) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if f.update {
		return nil, errInjected
	}
	return f.LookupDB.UpdateItem(ctx, in, o...)
}

func (f failing) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if f.delete {
		return nil, errInjected
	}
	return f.LookupDB.DeleteItem(ctx, in, o...)
}

func wantUnavailable(t *testing.T, err error) {
	t.Helper()
	wantCode(t, err, apperr.Unavailable, token.CodeUnavailable)
	if apperr.As(err).RetryAfter <= 0 {
		t.Fatalf("no Retry-After on %v", err)
	}
	if !errors.Is(err, errInjected) {
		t.Fatalf("the cause is lost: %v", err)
	}
}

func TestFailedLookupWriteLeavesNoRecord(t *testing.T) {
	e := newEnv(t)
	secret, tok, err := e.m.Create(e.ctx, e.db, failing{LookupDB: lookups, put: true}, e.org, e.spec())
	wantUnavailable(t, err)
	if secret != "" || tok.ID != "" {
		t.Fatal("a failed create returned a token")
	}
	list, err := e.m.List(e.ctx, e.db, e.org)
	if err != nil || len(list) != 0 {
		t.Fatalf("list after a failed create: %+v %v", list, err)
	}
	out, err := direct.Query(e.ctx, &dynamodb.QueryInput{
		TableName:              aws.String(stack.TableName),
		KeyConditionExpression: aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: "ORG#" + e.org},
		},
	})
	if err != nil || len(out.Items) != 0 {
		t.Fatalf("org items after a failed create: %d %v", len(out.Items), err)
	}
	if n := len(e.lookupsOf("")); n != 0 {
		t.Fatalf("%d lookups after a failed create", n)
	}
}

// A rotation that fails before the new secret is named changes nothing.
func TestRotationFailingEarlyChangesNothing(t *testing.T) {
	e := newEnv(t)
	old, tok := e.create(e.spec())
	_, _, err := e.m.Rotate(e.ctx, e.db, failing{LookupDB: lookups, put: true}, e.org, tok.ID, 0)
	wantUnavailable(t, err)
	e.mustWork(old, "after a failed rotation")
	if got := e.get(tok.ID); got.Prefix != tok.Prefix || got.Status != token.StatusActive {
		t.Fatalf("record changed: %+v", got)
	}
}

// A rotation that fails after naming the new secret (ending the old one
// failed) leaves the old secret working, and a retry completes it: the
// secret nobody received is discarded and the old one gets the retry's
// grace.
func TestHalfDoneRotationIsSafeToRetry(t *testing.T) {
	e := newEnv(t)
	old, tok := e.create(e.spec())
	_, _, err := e.m.Rotate(e.ctx, e.db, failing{LookupDB: lookups, update: true}, e.org, tok.ID, time.Hour)
	wantUnavailable(t, err)
	e.mustWork(old, "after a half-done rotation")
	if n := len(e.lookupsOf(tok.ID)); n != 2 {
		t.Fatalf("%d lookups after the half-done rotation, want old and unreceived new", n)
	}

	e.clock.Advance(10 * time.Minute)
	fresh := e.rotate(tok.ID, time.Hour)
	e.mustWork(fresh, "the retry's secret")
	e.mustWork(old, "the held secret in the retry's grace")
	if n := len(e.lookupsOf(tok.ID)); n != 2 {
		t.Fatalf("%d lookups after the retry, want 2 (the unreceived secret discarded)", n)
	}
	e.clock.Advance(59 * time.Minute)
	e.mustWork(old, "the held secret at the retry's +59m")
	e.clock.Advance(2 * time.Minute)
	e.mustFail(old, "the held secret after the retry's grace")
	e.mustWork(fresh, "the retry's secret later")
}

// Without grace, a failure to stop the old secret leaves it working (the
// caller has no other), and the retry stops it.
func TestHalfDoneRotationWithoutGraceIsSafeToRetry(t *testing.T) {
	e := newEnv(t)
	old, tok := e.create(e.spec())
	_, _, err := e.m.Rotate(e.ctx, e.db, failing{LookupDB: lookups, delete: true}, e.org, tok.ID, 0)
	wantUnavailable(t, err)
	e.mustWork(old, "after a half-done rotation")
	fresh := e.rotate(tok.ID, 0)
	e.mustFail(old, "the old secret after the retry")
	e.mustWork(fresh, "the retry's secret")
	if n := len(e.lookupsOf(tok.ID)); n != 1 {
		t.Fatalf("%d lookups, want 1", n)
	}
}

// A revoke that could not delete the lookups changes nothing, and the
// retry finishes it.
func TestFailedRevokeIsSafeToRetry(t *testing.T) {
	e := newEnv(t)
	secret, tok := e.create(e.spec())
	_, err := e.m.Revoke(e.ctx, e.db, failing{LookupDB: lookups, delete: true}, e.org, tok.ID)
	wantUnavailable(t, err)
	if got := e.get(tok.ID); got.Status != token.StatusActive {
		t.Fatalf("status %s after a failed revoke", got.Status)
	}
	if _, err := e.m.Revoke(e.ctx, e.db, lookups, e.org, tok.ID); err != nil {
		t.Fatal(err)
	}
	e.mustFail(secret, "after the retried revoke")
}
