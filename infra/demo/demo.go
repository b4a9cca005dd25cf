// Package demo seeds the local stack with a demo organization, workspace,
// routing aliases and API key, so `make run` answers its first request with
// no set-up. It writes through the same code paths production uses: org
// items with the org's TenantRole session, the token lookup with the
// operator's credentials (standing in for the management API's role).
package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Demo is what Seed created.
type Demo struct {
	Org, Workspace, TokenID string
	Token                   string // shown once, written to demo.env
}

// Defaults of the demo workspace.
const (
	MonthlyCap pricing.NanoUSD = 5_000_000_000 // $5
	RPM                        = 600
)

// Seed creates the demo org in the stack.
func Seed(ctx context.Context, s *localstack.Stack) (Demo, error) {
	d := Demo{Org: id.New(id.Org), Workspace: id.New(id.Workspace), TokenID: id.New(id.Token), Token: auth.NewToken()}
	sessions, err := s.TenantSessions(ctx, "GatewayFunctionRole")
	if err != nil {
		return d, err
	}
	sc, err := sessions.For(ctx, d.Org)
	if err != nil {
		return d, err
	}
	store := workspace.NewStore(workspace.Config{Table: s.TableName})
	if err := store.PutOrg(ctx, sc.DynamoDB, d.Org, workspace.Org{Name: "Demo Org"}); err != nil {
		return d, fmt.Errorf("seed org: %w", err)
	}
	if err := store.PutSettings(ctx, sc.DynamoDB, d.Org, d.Workspace, workspace.Settings{
		Name: "demo", MonthlyCap: MonthlyCap, RPM: RPM,
	}); err != nil {
		return d, fmt.Errorf("seed workspace: %w", err)
	}
	for _, a := range []workspace.Alias{
		{Name: "default", Version: 1, Targets: []workspace.Target{{Connection: "mock", Model: "mock-small"}}},
		{Name: "smart", Version: 1, Targets: []workspace.Target{{Connection: "mock", Model: "mock-large"}, {Connection: "mock", Model: "mock-small"}}},
	} {
		if err := store.PutAlias(ctx, sc.DynamoDB, d.Org, d.Workspace, a); err != nil {
			return d, fmt.Errorf("seed alias: %w", err)
		}
	}
	expires := time.Now().UTC().AddDate(1, 0, 0)
	operator := dynamodb.NewFromConfig(s.OperatorConfig())
	// The org registry is how scheduled jobs find every org.
	if _, err := operator.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.TableName), Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "REGISTRY"}, "sk": &types.AttributeValueMemberS{Value: "ORG#" + d.Org},
		"org": &types.AttributeValueMemberS{Value: d.Org},
	}}); err != nil {
		return d, fmt.Errorf("register org: %w", err)
	}
	p := auth.Principal{Org: d.Org, Workspace: d.Workspace, TokenID: d.TokenID, Scopes: auth.AllScopes}
	if _, err := operator.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.TableName), Item: auth.LookupItem(auth.Hash(d.Token), p, expires),
	}); err != nil {
		return d, fmt.Errorf("seed token: %w", err)
	}
	if _, err := sc.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.TableName), Item: map[string]types.AttributeValue{
		"pk":          &types.AttributeValueMemberS{Value: workspace.OrgPK(d.Org)},
		"sk":          &types.AttributeValueMemberS{Value: "TOKEN#" + d.TokenID},
		"name":        &types.AttributeValueMemberS{Value: "demo key"},
		"prefix":      &types.AttributeValueMemberS{Value: auth.Display(d.Token)},
		"workspace":   &types.AttributeValueMemberS{Value: d.Workspace},
		"scopes":      &types.AttributeValueMemberSS{Value: auth.AllScopes},
		"created_at":  &types.AttributeValueMemberS{Value: time.Now().UTC().Format(time.RFC3339)},
		"valid_until": &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
		"hash":        &types.AttributeValueMemberS{Value: auth.Hash(d.Token)},
	}}); err != nil {
		return d, fmt.Errorf("seed token record: %w", err)
	}
	return d, nil
}

// WriteEnv writes the demo's URL and key for shells and SDKs to source.
func WriteEnv(path, baseURL string, d Demo) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write demo env: %w", err)
	}
	body := fmt.Sprintf("# Written by make run; the key is valid while this stack runs.\n"+
		"TOLLGATE_URL=%s\nTOLLGATE_API_KEY=%s\nOPENAI_BASE_URL=%s\nOPENAI_API_KEY=%s\nTOLLGATE_ORG=%s\nTOLLGATE_WORKSPACE=%s\n",
		baseURL, d.Token, baseURL, d.Token, d.Org, d.Workspace)
	return os.WriteFile(path, []byte(body), 0o600)
}
