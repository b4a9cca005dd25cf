package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/orgdata"
	"github.com/tollgate-dev/tollgate/shared/orgsetup"
)

var stack *localstack.Stack

func TestMain(m *testing.M) {
	localstack.Main(m, localstack.Options{StackName: "admin-test"}, func(s *localstack.Stack) error {
		stack = s
		return nil
	})
}

func TestBootstrapPrintsAWorkingOwnerKeyOnce(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	err := bootstrap(ctx, stack.OperatorConfig(), stack.TableName,
		orgsetup.Spec{OrgName: "Acme", OwnerEmail: "owner@acme.example"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	key := regexp.MustCompile(`tgk_[0-9A-Za-z]{40}`).FindString(out.String())
	if key == "" || strings.Count(out.String(), key) != 1 {
		t.Fatalf("output: %s", out.String())
	}
	p, err := auth.New(auth.Config{Table: stack.TableName, DB: dynamodb.NewFromConfig(stack.OperatorConfig())}).Authenticate(ctx, key)
	if err != nil || p.Member == "" || !p.Has(auth.ScopeAdmin) {
		t.Fatalf("owner key: %+v %v", p, err)
	}
	if err := run(ctx, []string{"bootstrap", "-org-name", "x", "-owner-email", "a@b.example"}, &out); err == nil ||
		!strings.Contains(err.Error(), "-local or -table") {
		t.Fatalf("no target: %v", err)
	}
	if err := bootstrap(ctx, stack.OperatorConfig(), stack.TableName, orgsetup.Spec{OrgName: "", OwnerEmail: "a@b.example"}, &out); err == nil {
		t.Fatal("an empty org name was accepted")
	}
}

func TestExportWritesTheOrgWithoutSecrets(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	if err := bootstrap(ctx, stack.OperatorConfig(), stack.TableName,
		orgsetup.Spec{OrgName: "Exported", OwnerEmail: "owner@exported.example"}, &out); err != nil {
		t.Fatal(err)
	}
	org := regexp.MustCompile(`org_[0-9a-z]{20}`).FindString(out.String())
	key := regexp.MustCompile(`tgk_[0-9A-Za-z]{40}`).FindString(out.String())
	var exp bytes.Buffer
	if _, err := orgdata.Export(ctx, dynamodb.NewFromConfig(stack.OperatorConfig()), stack.TableName, org, &exp); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(exp.String(), "owner@exported.example") || strings.Contains(exp.String(), key) ||
		strings.Contains(exp.String(), auth.Hash(key)) {
		t.Fatalf("export: %.400s", exp.String())
	}
	if err := run(ctx, []string{"export", "-table", stack.TableName, "-org", "nope"}, &exp); err == nil {
		t.Fatal("a malformed org ID was accepted")
	}
}
