package member_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/member"
)

func isAccessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException"
}

// Org B's scoped client, used on org A's members, is refused by the
// enforcing endpoint on every store call; org A's data is unchanged.
func TestOtherOrgsClientIsRefused(t *testing.T) {
	ctx := context.Background()
	orgA, a := newOrg(t)
	_, b := newOrg(t)
	ada := add(t, a, orgA, "ada@example.com", member.Owner)
	bob := add(t, a, orgA, "bob@example.com", member.Owner)

	calls := map[string]func() error{
		"Get":  func() error { _, err := store.Get(ctx, b.DynamoDB, orgA, ada.ID); return err },
		"List": func() error { _, err := store.List(ctx, b.DynamoDB, orgA); return err },
		"Add": func() error {
			_, err := store.Add(ctx, b.DynamoDB, orgA, member.Member{Email: "mallory@example.com", Role: member.Owner})
			return err
		},
		"SetRole":    func() error { _, err := store.SetRole(ctx, b.DynamoDB, orgA, bob.ID, member.Viewer); return err },
		"Remove":     func() error { return store.Remove(ctx, b.DynamoDB, orgA, bob.ID) },
		"OwnerCount": func() error { _, err := store.OwnerCount(ctx, b.DynamoDB, orgA); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if !isAccessDenied(err) {
				t.Fatalf("org B's client on org A: got %v, want AccessDeniedException", err)
			}
			if k := apperr.KindOf(err); k != apperr.Internal {
				t.Fatalf("a denial is a caller bug and must not ask for a retry: kind %s", k)
			}
		})
	}

	list, err := store.List(ctx, a.DynamoDB, orgA)
	if err != nil || len(list) != 2 || list[0] != ada || list[1] != bob {
		t.Fatalf("org A's members changed: %+v %v", list, err)
	}
	if n := owners(t, a, orgA); n != 2 {
		t.Fatalf("org A has %d owners", n)
	}
}

// The same read straight at DynamoDB Local, bypassing the enforcing
// endpoint, goes through: the denial above comes from TenantRole's policy,
// not from a malformed request.
func TestDenialComesFromThePolicy(t *testing.T) {
	ctx := context.Background()
	orgA, a := newOrg(t)
	_, b := newOrg(t)
	ada := add(t, a, orgA, "ada@example.com", member.Owner)
	creds, err := b.DynamoDB.Options().Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	direct := dynamodb.NewFromConfig(stack.DirectDynamoDBConfig(), func(o *dynamodb.Options) {
		o.Credentials = credentials.StaticCredentialsProvider{Value: creds}
	})
	got, err := store.Get(ctx, direct, orgA, ada.ID)
	if err != nil || got != ada {
		t.Fatalf("unenforced read: %+v %v", got, err)
	}
}
