package tenant_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/tenant"
)

func TestWarmSessionMakesNoSTSCall(t *testing.T) {
	s := gatewaySessions(t)
	org := id.New(id.Org)
	ctx := context.Background()
	first, err := s.For(ctx, org)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		got, err := s.For(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		if got != first {
			t.Fatal("warm call built new clients")
		}
	}
	if n := s.AssumeCount(); n != 1 {
		t.Fatalf("AssumeRole calls = %d, want 1", n)
	}
	// The scoped client really works for its own org.
	_, err = first.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(stack.TableName),
		Item: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "ORG#" + org},
			"sk": &types.AttributeValueMemberS{Value: "PROBE"},
		},
	})
	if err != nil {
		t.Fatalf("own-org write refused: %v", err)
	}
}

func TestConcurrentCallersShareOneAssume(t *testing.T) {
	s := gatewaySessions(t)
	org := id.New(id.Org)
	var wg sync.WaitGroup
	var failures atomic.Int32
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.For(context.Background(), org); err != nil {
				failures.Add(1)
			}
		}()
	}
	wg.Wait()
	if failures.Load() != 0 || s.AssumeCount() != 1 {
		t.Fatalf("failures=%d assumes=%d, want 0 and 1", failures.Load(), s.AssumeCount())
	}
}

func TestSessionRenewedBeforeExpiry(t *testing.T) {
	var now atomic.Pointer[time.Time]
	start := time.Now().UTC()
	now.Store(&start)
	s := gatewaySessions(t, func(c *tenant.Config) {
		c.Duration = 15 * time.Minute
		c.RefreshBefore = 5 * time.Minute
		c.Clock = func() time.Time { return *now.Load() }
	})
	org := id.New(id.Org)
	a, err := s.For(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	almost := a.Expires.Add(-5*time.Minute - time.Second)
	now.Store(&almost)
	if b, _ := s.For(context.Background(), org); b != a {
		t.Fatal("renewed too early")
	}
	late := a.Expires.Add(-4 * time.Minute)
	now.Store(&late)
	b, err := s.For(context.Background(), org)
	if err != nil {
		t.Fatal(err)
	}
	if b == a || s.AssumeCount() != 2 {
		t.Fatalf("not renewed near expiry (assumes=%d)", s.AssumeCount())
	}
}

func TestCacheIsBounded(t *testing.T) {
	s := gatewaySessions(t, func(c *tenant.Config) { c.MaxOrgs = 3 })
	orgs := []string{id.New(id.Org), id.New(id.Org), id.New(id.Org), id.New(id.Org)}
	for _, o := range orgs {
		if _, err := s.For(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	// orgs[0] was evicted: asking again assumes again; orgs[3] is still cached.
	before := s.AssumeCount()
	if _, err := s.For(context.Background(), orgs[3]); err != nil {
		t.Fatal(err)
	}
	if s.AssumeCount() != before {
		t.Fatal("most recent org was evicted")
	}
	if _, err := s.For(context.Background(), orgs[0]); err != nil {
		t.Fatal(err)
	}
	if s.AssumeCount() != before+1 {
		t.Fatal("least recently used org was not evicted")
	}
}

func TestFailsClosed(t *testing.T) {
	cases := []struct {
		name string
		org  string
		cfg  func(*tenant.Config)
		kind apperr.Kind
	}{
		{"malformed org id is never used as a tag", "org_a#b", nil, apperr.Internal},
		{"STS unreachable", id.New(id.Org), func(c *tenant.Config) {
			dead := stack.Config(aws.AnonymousCredentials{})
			dead.BaseEndpoint = aws.String("http://127.0.0.1:1")
			c.STS = sts.NewFromConfig(dead)
		}, apperr.Unavailable},
		{"caller may not assume the role", id.New(id.Org), func(c *tenant.Config) {
			// The tenant role itself is not trusted to assume TenantRole.
			c.RoleARN = stack.TenantRoleARN + "-other"
		}, apperr.Unavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var s *tenant.Sessions
			if c.cfg == nil {
				s = gatewaySessions(t)
			} else {
				s = gatewaySessions(t, c.cfg)
			}
			_, err := s.For(context.Background(), c.org)
			if err == nil || apperr.KindOf(err) != c.kind {
				t.Fatalf("got %v, want kind %v", err, c.kind)
			}
			// A failure is not cached: the next call tries again.
			_, err2 := s.For(context.Background(), c.org)
			if err2 == nil {
				t.Fatal("second call succeeded without a working STS")
			}
		})
	}
}
