package orgdata_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/orgdata"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// assertGone checks that nothing of f's org is left anywhere in the table
// and that none of its secrets works any more.
func assertGone(t *testing.T, f *fixture) {
	t.Helper()
	if left := orgItems(t, f.org); len(left) != 0 {
		t.Errorf("%d items still mention the org: %v", len(left), slices.Sorted(maps.Keys(left)))
	}
	for i, secret := range f.tokens {
		if authenticates(t, secret) {
			t.Errorf("token secret %d still authenticates", i)
		}
	}
	for i, v := range f.sealed {
		if opens(t, f, v) {
			t.Errorf("sealed value %d still opens", i)
		}
	}
}

func TestDeleteOrgLeavesNothingAndShredsKeys(t *testing.T) {
	ctx := ctxT(t)
	a, b := buildOrg(t), buildOrg(t)
	beforeB := orgItems(t, b.org)
	for i, secret := range a.tokens {
		if !authenticates(t, secret) {
			t.Fatalf("token secret %d does not authenticate before the deletion", i)
		}
	}
	if !opens(t, a, a.sealed[0]) {
		t.Fatal("a sealed value does not open before the deletion")
	}

	counts, err := orgdata.DeleteOrg(ctx, a.sc.DynamoDB, api, destroyer(a.scope), stack.TableName, a.org)
	if err != nil {
		t.Fatal(err)
	}
	assertGone(t, a)
	if counts[orgdata.FamilyTokenLookup] != len(a.hashes) || counts[orgdata.FamilyRegistry] != 1 || counts[orgdata.FamilyDataKey] == 0 ||
		counts[orgdata.FamilyTrace] == 0 || counts[orgdata.FamilyAudit] == 0 || counts[orgdata.FamilyBudget] == 0 {
		t.Errorf("counts %v", counts)
	}
	for _, fam := range []string{orgdata.FamilyEvalKill, orgdata.FamilyEvalList, orgdata.FamilyEvalRun, orgdata.FamilyEvalCall,
		orgdata.FamilyDataset, orgdata.FamilyDatasetPart, orgdata.FamilyShadow, orgdata.FamilyRecommendation, orgdata.FamilyFeedback,
		orgdata.FamilyDriftFlag, orgdata.FamilyIdempotency} {
		if counts[fam] == 0 {
			t.Errorf("counts %v report no %s", counts, fam)
		}
	}
	if !reflect.DeepEqual(orgItems(t, b.org), beforeB) {
		t.Error("org B changed")
	}
	for i, secret := range b.tokens {
		if !authenticates(t, secret) {
			t.Errorf("org B's token secret %d no longer authenticates", i)
		}
	}
	if !opens(t, b, b.sealed[0]) {
		t.Error("org B's sealed value no longer opens")
	}

	again, err := orgdata.DeleteOrg(ctx, a.sc.DynamoDB, api, destroyer(a.scope), stack.TableName, a.org)
	if err != nil || again.Total() != 0 {
		t.Errorf("rerun: counts %v, err %v; want nothing to do", again, err)
	}
	assertGone(t, a)
	if !reflect.DeepEqual(orgItems(t, b.org), beforeB) {
		t.Error("org B changed on the rerun")
	}
}

// TestDeleteOrgResumesAfterACrash kills DeleteOrg at points spread over
// its run (found by recording a reference run's calls), checks that no
// secret outlives its record, and reruns it to the same empty state.
func TestDeleteOrgResumesAfterACrash(t *testing.T) {
	b := buildOrg(t)
	beforeB := orgItems(t, b.org)

	ref := buildOrg(t)
	rec := newKilling(1<<30, func() {})
	if _, err := orgdata.DeleteOrg(ctxT(t), rec.wrap(ref.sc.DynamoDB), rec.wrap(api), destroyer(rec.scope(ref)), stack.TableName, ref.org); err != nil {
		t.Fatal(err)
	}
	ops := rec.recorded()
	firstDelete, firstBatch, lastBatch := slices.Index(ops, "DeleteItem"), slices.Index(ops, "BatchWriteItem"), len(ops)-1
	for ops[lastBatch] != "BatchWriteItem" {
		lastBatch--
	}
	if firstDelete < 0 || firstBatch < firstDelete {
		t.Fatalf("unexpected call order: %v", ops)
	}
	points := map[string]int64{
		"walking":                int64(firstDelete / 2),
		"deleting lookups":       int64(firstDelete + 2),
		"destroying keys":        int64(firstBatch + 1),
		"deleting partitions":    int64((firstBatch+lastBatch)/2 + 1),
		"deleting org partition": int64(lastBatch - 1),
	}

	for name, n := range points {
		t.Run(fmt.Sprintf("%s (call %d of %d)", name, n, len(ops)), func(t *testing.T) {
			t.Parallel()
			// A run's call count varies by a few calls (unprocessed batch
			// items are resent), so a point near the end may lie past a
			// shorter run: then move it earlier, on a fresh org, until the
			// kill lands.
			var f *fixture
			for try := 0; ; try++ {
				f = buildOrg(t)
				ctx, cancel := context.WithCancel(ctxT(t))
				k := newKilling(n-int64(3*try), cancel)
				_, err := orgdata.DeleteOrg(ctx, k.wrap(f.sc.DynamoDB), k.wrap(api), destroyer(k.scope(f)), stack.TableName, f.org)
				cancel()
				if err != nil {
					break
				}
				if try == 10 {
					t.Fatal("the killed run succeeded")
				}
			}
			assertNoOrphanLookups(t, f)
			if _, err := orgdata.DeleteOrg(ctxT(t), f.sc.DynamoDB, api, destroyer(f.scope), stack.TableName, f.org); err != nil {
				t.Fatal(err)
			}
			assertGone(t, f)
		})
	}
	t.Cleanup(func() {
		if !reflect.DeepEqual(orgItems(t, b.org), beforeB) {
			t.Error("org B changed")
		}
	})
}

// assertNoOrphanLookups checks the crash invariant: a token lookup that
// still exists belongs to a token whose record still exists.
func assertNoOrphanLookups(t *testing.T, f *fixture) {
	t.Helper()
	records := 0
	lookups := 0
	for _, it := range orgItems(t, f.org) {
		switch {
		case str(it, "pk") == "ORG#"+f.org && strings.HasPrefix(str(it, "sk"), "TOKEN#"):
			records++
		case strings.HasPrefix(str(it, "pk"), "TOKEN#") && str(it, "sk") == auth.LookupSK:
			lookups++
		}
	}
	if lookups > 0 && records < len(f.tokIDs) {
		t.Errorf("%d token lookups remain while only %d of %d token records do", lookups, records, len(f.tokIDs))
	}
}

// killing attaches one killAfter middleware to every call made through
// the clients it wraps, and records the calls' names in order.
type killing struct {
	mw  func(*middleware.Stack) error
	mu  sync.Mutex
	ops []string
}

func newKilling(n int64, cancel context.CancelFunc) *killing {
	return &killing{mw: killAfter(n, cancel)}
}

func (k *killing) recorded() []string { k.mu.Lock(); defer k.mu.Unlock(); return slices.Clone(k.ops) }

func (k *killing) opt(op string) func(*dynamodb.Options) {
	k.mu.Lock()
	k.ops = append(k.ops, op)
	k.mu.Unlock()
	return func(o *dynamodb.Options) { o.APIOptions = append(o.APIOptions, k.mw) }
}

func (k *killing) wrap(c *dynamodb.Client) *killed { return &killed{c: c, k: k} }

func (k *killing) scope(f *fixture) secrets.Scope {
	return secrets.Scope{Org: f.org, DynamoDB: k.wrap(f.sc.DynamoDB), KMS: f.sc.KMS}
}

type killed struct {
	c *dynamodb.Client
	k *killing
}

func (d *killed) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return d.c.Query(ctx, in, append(o, d.k.opt("Query"))...)
}
func (d *killed) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return d.c.BatchWriteItem(ctx, in, append(o, d.k.opt("BatchWriteItem"))...)
}
func (d *killed) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return d.c.DeleteItem(ctx, in, append(o, d.k.opt("DeleteItem"))...)
}
func (d *killed) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return d.c.GetItem(ctx, in, append(o, d.k.opt("GetItem"))...)
}
func (d *killed) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return d.c.PutItem(ctx, in, append(o, d.k.opt("PutItem"))...)
}
func (d *killed) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return d.c.TransactWriteItems(ctx, in, append(o, d.k.opt("TransactWriteItems"))...)
}

// killAfter returns an SDK middleware that cancels cancel's context on the
// n-th call and fails that call: the function being killed mid-run.
func killAfter(n int64, cancel context.CancelFunc) func(*middleware.Stack) error {
	var calls atomic.Int64
	return func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("kill", func(ctx context.Context, in middleware.InitializeInput,
			next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if calls.Add(1) >= n {
				cancel()
				return middleware.InitializeOutput{}, middleware.Metadata{}, context.Canceled
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	}
}
