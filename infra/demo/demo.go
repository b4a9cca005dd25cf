// Package demo seeds the local stack with a demo organization, workspace,
// routing aliases and API key, so `make run` answers its first request with
// no set-up. It writes through the same code paths production uses: the
// operator's bootstrap (orgsetup), org items with the org's TenantRole
// session, global items with the operator's credentials.
package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/orgsetup"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/token"
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

// Seed creates the demo org in the stack: bootstrapped as an operator
// would (org, workspace, owner, owner key with every scope, registry),
// then given the demo workspace's limits and routing aliases.
func Seed(ctx context.Context, s *localstack.Stack) (Demo, error) {
	sessions, err := s.TenantSessions(ctx, "ApiFunctionRole")
	if err != nil {
		return Demo{}, err
	}
	r, err := orgsetup.Bootstrap(ctx, s.TableName, sessions, dynamodb.NewFromConfig(s.OperatorConfig()),
		token.New(token.Config{Table: s.TableName}), orgsetup.Spec{
			OrgName: "Demo Org", OwnerEmail: "owner@demo.example", OwnerName: "Demo Owner", Workspace: "demo",
		}, time.Now())
	if err != nil {
		return Demo{}, fmt.Errorf("seed demo org: %w", err)
	}
	d := Demo{Org: r.Org, Workspace: r.Workspace, TokenID: r.TokenID, Token: r.Token}
	sc, err := sessions.For(ctx, d.Org)
	if err != nil {
		return d, err
	}
	store := workspace.NewStore(workspace.Config{Table: s.TableName})
	if err := store.PutSettings(ctx, sc.DynamoDB, d.Org, d.Workspace, workspace.Settings{
		Name: "demo", MonthlyCap: MonthlyCap, RPM: RPM,
	}); err != nil {
		return d, fmt.Errorf("seed workspace: %w", err)
	}
	for _, a := range []workspace.Alias{
		{Name: "default", Targets: []workspace.Target{{Connection: "mock", Model: "mock-small"}}},
		{Name: "smart", Targets: []workspace.Target{{Connection: "mock", Model: "mock-large"}, {Connection: "mock", Model: "mock-small"}}},
	} {
		// Saved as version 1 with history, as the API saves them, so a
		// rollback to the seeded route works like any other.
		if _, err := store.SaveAlias(ctx, sc.DynamoDB, d.Org, d.Workspace, a.Name, a.Targets, r.Member, time.Now()); err != nil {
			return d, fmt.Errorf("seed alias: %w", err)
		}
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
