// Package orgsetup creates an organization with its first owner: the one
// step of the management API that no API key can do, because before it
// there is no one to hold a key. The operator command (tollgate-admin
// bootstrap), the local demo seed and the tests all call Bootstrap.
package orgsetup

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/member"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/token"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Global writes the items outside any org: the registry entry scheduled
// jobs walk, and the token lookup. It is the API function's role in AWS,
// or the operator's credentials for the command.
type Global interface {
	token.LookupDB
}

// Tenants makes the org-scoped session every org item is written with.
type Tenants interface {
	For(ctx context.Context, org string) (*tenant.Scoped, error)
}

// Spec is the new organization.
type Spec struct {
	OrgName    string
	OwnerEmail string
	OwnerName  string
	// Workspace is the first workspace's name; default "default".
	Workspace string
	// TokenTTL is the owner token's lifetime; default the token manager's.
	TokenTTL time.Duration
}

// Result is what was created. Token is the owner's API key, shown once.
type Result struct {
	Org, Workspace, Member, TokenID, Token string
}

// Bootstrap creates the org item, its first workspace, its owner, its
// registry entry and an owner API key with every scope. Each step is
// conditional or idempotent; a failure leaves a half-made org that holds
// no working key and is not yet registered, and is reported.
func Bootstrap(ctx context.Context, table string, tenants Tenants, global Global, tokens *token.Manager, s Spec, now time.Time) (Result, error) {
	if s.Workspace == "" {
		s.Workspace = "default"
	}
	if !workspace.ValidName(s.OrgName) {
		return Result{}, apperr.New(apperr.Invalid, "invalid_name", "the org name must be 1-100 characters of text").WithParam("org_name")
	}
	r := Result{Org: id.New(id.Org), Workspace: id.New(id.Workspace)}
	sc, err := tenants.For(ctx, r.Org)
	if err != nil {
		return r, fmt.Errorf("bootstrap: tenant session: %w", err)
	}
	ws := workspace.NewStore(workspace.Config{Table: table})
	if err := ws.PutOrg(ctx, sc.DynamoDB, r.Org, workspace.Org{Name: s.OrgName}); err != nil {
		return r, fmt.Errorf("bootstrap: org: %w", err)
	}
	if _, err := ws.Create(ctx, sc.DynamoDB, r.Org, r.Workspace, s.Workspace, now); err != nil {
		return r, fmt.Errorf("bootstrap: workspace: %w", err)
	}
	owner, err := member.NewStore(table, func() time.Time { return now }).Add(ctx, sc.DynamoDB, r.Org,
		member.Member{Email: s.OwnerEmail, Name: s.OwnerName, Role: member.Owner})
	if err != nil {
		return r, fmt.Errorf("bootstrap: owner: %w", err)
	}
	r.Member = owner.ID
	secret, t, err := tokens.Create(ctx, sc.DynamoDB, global, r.Org, token.Spec{
		Name: "owner (bootstrap)", Workspace: r.Workspace, Member: owner.ID, Scopes: auth.AllScopes, ExpiresIn: s.TokenTTL,
	})
	if err != nil {
		return r, fmt.Errorf("bootstrap: owner token: %w", err)
	}
	r.TokenID, r.Token = t.ID, secret
	if _, err := global.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: RegistryPK}, "sk": &types.AttributeValueMemberS{Value: "ORG#" + r.Org},
		"org": &types.AttributeValueMemberS{Value: r.Org}, "created_at": &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339)},
	}}); err != nil {
		return r, fmt.Errorf("bootstrap: register org: %w", err)
	}
	return r, nil
}

// RegistryPK is the partition of the org registry scheduled jobs walk.
const RegistryPK = "REGISTRY"
