// Command tollgate-admin is the operator's tool for what no API key can
// do. `bootstrap` creates an organization with its first owner and prints
// the owner's API key once; `export` writes all of an org's data as JSONL
// (secrets excluded) without the API's 5 MB bound:
//
//	go run ./infra/cmd/tollgate-admin bootstrap -local -org-name Acme -owner-email you@acme.example
//	go run ./infra/cmd/tollgate-admin bootstrap -table <TableName output> -org-name Acme -owner-email you@acme.example
//	go run ./infra/cmd/tollgate-admin export -table <TableName output> -org org_… > acme.jsonl
//
// -local talks to the stack `make run` started (it reads .local/stack.env);
// otherwise the command uses your AWS credentials and region as the AWS
// CLI would, on the deployed stack's table.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/orgdata"
	"github.com/tollgate-dev/tollgate/shared/orgsetup"
	"github.com/tollgate-dev/tollgate/shared/tenant"
	"github.com/tollgate-dev/tollgate/shared/token"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tollgate-admin:", err)
		os.Exit(1)
	}
}

const usage = "usage: tollgate-admin bootstrap|export [-local | -table NAME] …  (see -h of each)"

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || (args[0] != "bootstrap" && args[0] != "export") {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	local := fs.Bool("local", false, "use the stack `make run` started (.local/stack.env)")
	table := fs.String("table", "", "the deployed stack's TableName output")
	spec := orgsetup.Spec{}
	org := fs.String("org", "", "export: the org ID")
	if args[0] == "bootstrap" {
		fs.StringVar(&spec.OrgName, "org-name", "", "the organization's name")
		fs.StringVar(&spec.OwnerEmail, "owner-email", "", "the first owner's email")
		fs.StringVar(&spec.OwnerName, "owner-name", "", "the first owner's name")
		fs.StringVar(&spec.Workspace, "workspace", "default", "the first workspace's name")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	var cfg aws.Config
	switch {
	case *local:
		env, err := readStackEnv()
		if err != nil {
			return err
		}
		*table = env["TOLLGATE_TABLE"]
		cfg = aws.Config{Region: localstack.Region, BaseEndpoint: aws.String(env["TOLLGATE_AWS_ENDPOINT"]),
			Credentials: credentials.StaticCredentialsProvider{Value: localstack.OperatorCredentials}}
	case *table != "":
		var err error
		if cfg, err = awsconfig.LoadDefaultConfig(ctx); err != nil {
			return fmt.Errorf("load AWS config: %w", err)
		}
	default:
		return fmt.Errorf("%s: pass -local or -table", args[0])
	}
	if args[0] == "export" {
		if !id.Valid(id.Org, *org) {
			return errors.New("export: -org must be an org ID (org_…)")
		}
		_, err := orgdata.Export(ctx, dynamodb.NewFromConfig(cfg), *table, *org, out)
		return err
	}
	return bootstrap(ctx, cfg, *table, spec, out)
}

// bootstrap creates the org with the operator's credentials and prints
// its IDs and the owner's key.
func bootstrap(ctx context.Context, cfg aws.Config, table string, spec orgsetup.Spec, out io.Writer) error {
	db := dynamodb.NewFromConfig(cfg)
	r, err := orgsetup.Bootstrap(ctx, table, operatorTenants{cfg}, db, token.New(token.Config{Table: table}), spec, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "org        %s\nworkspace  %s\nowner      %s\nowner key  %s\n\nThe key is shown once: store it now. It has every scope; make narrower keys with POST /api/v1/tokens.\n",
		r.Org, r.Workspace, r.Member, r.Token)
	return nil
}

// operatorTenants hands out clients with the operator's own credentials:
// the operator is trusted with every org (TenantRole trusts only the
// functions), and bootstrap writes only the new org's keys.
type operatorTenants struct{ cfg aws.Config }

func (o operatorTenants) For(_ context.Context, org string) (*tenant.Scoped, error) {
	return &tenant.Scoped{Org: org, DynamoDB: dynamodb.NewFromConfig(o.cfg), KMS: kms.NewFromConfig(o.cfg),
		Expires: time.Now().Add(time.Hour)}, nil
}

// readStackEnv reads the endpoint and table `make run` wrote.
func readStackEnv() (map[string]string, error) {
	root, err := localstack.RepoRoot()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(root, ".local", "stack.env"))
	if err != nil {
		return nil, fmt.Errorf("no local stack (start it with `make run`): %w", err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = v
		}
	}
	if env["TOLLGATE_AWS_ENDPOINT"] == "" || env["TOLLGATE_TABLE"] == "" {
		return nil, errors.New(".local/stack.env lacks the endpoint or table: restart `make run`")
	}
	return env, sc.Err()
}
