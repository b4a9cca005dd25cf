package localstack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/tollgate-dev/tollgate/infra/cfn"
	"github.com/tollgate-dev/tollgate/infra/enforcer"
)

// Fixed identity of the local account.
const (
	Region    = "us-east-1"
	AccountID = "123456789012"
	Partition = "aws"
)

// OperatorCredentials stand for the deployer (CloudFormation and the
// operator's own tooling): the enforcing endpoint allows them everything.
// Functions never use them for data access; they assume their own roles.
var OperatorCredentials = aws.Credentials{
	AccessKeyID:     "AKIALOCALOPERATOR000",
	SecretAccessKey: "local-operator-secret-not-a-real-key-0000",
	Source:          "localstack",
}

// Options configures Start. The zero value starts a stack for the
// repository's template.yaml under a random stack name.
type Options struct {
	// TemplatePath defaults to template.yaml at the repository root.
	TemplatePath string
	// StackName prefixes every resource name; default "tollgate-local".
	StackName string
	// CacheDir holds the fetched DynamoDB Local; default <repo>/.local/cache.
	CacheDir string
	// Listen is the enforcing endpoint's address; default 127.0.0.1:0.
	Listen string
	// Clock is handed to the enforcing endpoint (session expiry).
	Clock  func() time.Time
	Logger *slog.Logger
}

// Stack is a running local AWS stack.
type Stack struct {
	// Endpoint is the enforcing endpoint: the one URL every AWS client of
	// the code under test uses, for DynamoDB, KMS, STS and SQS alike.
	Endpoint string
	// DynamoDBURL and MotoURL bypass enforcement. Only tests use them: to
	// prove a denial comes from the policy, and to scan the table for leaks.
	DynamoDBURL string
	MotoURL     string

	Template *cfn.Template
	Env      cfn.Env
	Enforcer *enforcer.Enforcer

	TableName     string
	KeyARN        string
	TenantRoleARN string
	EvalQueueURL  string
	EvalDLQURL    string

	ddb, moto *process
	server    *http.Server
}

// Start brings the stack up and creates the template's resources. On error
// everything already started is stopped.
func Start(ctx context.Context, opts Options) (_ *Stack, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.StackName == "" {
		opts.StackName = "tollgate-local"
	}
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	if opts.TemplatePath == "" {
		opts.TemplatePath = filepath.Join(root, "template.yaml")
	}
	if opts.CacheDir == "" {
		opts.CacheDir = os.Getenv("TOLLGATE_CACHE_DIR")
	}
	if opts.CacheDir == "" {
		opts.CacheDir = filepath.Join(root, ".local", "cache")
	}
	tmpl, err := cfn.Load(opts.TemplatePath)
	if err != nil {
		return nil, fmt.Errorf("load template: %w", err)
	}
	s := &Stack{Template: tmpl}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	type started struct {
		p   *process
		url string
		err error
	}
	ddbc, motoc := make(chan started, 1), make(chan started, 1)
	go func() { p, u, err := startDynamoDB(ctx, opts.CacheDir); ddbc <- started{p, u, err} }()
	go func() { p, u, err := startMoto(ctx); motoc <- started{p, u, err} }()
	d, m := <-ddbc, <-motoc
	s.ddb, s.DynamoDBURL, s.moto, s.MotoURL = d.p, d.url, m.p, m.url
	if err := errors.Join(d.err, m.err); err != nil {
		return nil, err
	}

	s.Env = cfn.Env{
		StackName: opts.StackName, Region: Region, AccountID: AccountID, Partition: Partition,
		Parameters: map[string]string{},
		Physical:   map[string]cfn.Physical{},
	}
	if err := createResources(ctx, s); err != nil {
		return nil, fmt.Errorf("create resources from template: %w", err)
	}

	ddbURL, _ := url.Parse(s.DynamoDBURL)
	motoURL, _ := url.Parse(s.MotoURL)
	s.Enforcer, err = enforcer.New(enforcer.Config{
		Template: tmpl,
		Env:      s.Env,
		DynamoDB: ddbURL,
		Moto:     motoURL,
		Operator: enforcer.Credentials{AccessKeyID: OperatorCredentials.AccessKeyID, SecretAccessKey: OperatorCredentials.SecretAccessKey},
		Clock:    opts.Clock,
		Logger:   opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("build enforcing endpoint: %w", err)
	}
	listen := opts.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("listen for enforcing endpoint: %w", err)
	}
	s.server = &http.Server{Handler: s.Enforcer, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.server.Serve(l) }()
	s.Endpoint = "http://" + l.Addr().String()
	return s, nil
}

// Close stops the enforcing endpoint and the emulators.
func (s *Stack) Close() {
	if s.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = s.server.Shutdown(ctx)
		cancel()
	}
	s.ddb.stop()
	s.moto.stop()
}

// Config returns an AWS config that sends every call through the enforcing
// endpoint with the given credentials.
func (s *Stack) Config(creds aws.CredentialsProvider) aws.Config {
	return awsConfig(s.Endpoint, creds)
}

// OperatorConfig is Config with the operator's credentials.
func (s *Stack) OperatorConfig() aws.Config {
	return s.Config(credentials.StaticCredentialsProvider{Value: OperatorCredentials})
}

// DirectDynamoDBConfig bypasses the enforcing endpoint. Tests only.
func (s *Stack) DirectDynamoDBConfig() aws.Config {
	return awsConfig(s.DynamoDBURL, credentials.StaticCredentialsProvider{Value: OperatorCredentials})
}

// RoleARN returns the ARN of a role of the template, by logical ID.
func (s *Stack) RoleARN(logicalID string) (string, error) {
	p, ok := s.Env.Physical[logicalID]
	if !ok || p.Attrs["Arn"] == "" {
		return "", fmt.Errorf("no role %q in template", logicalID)
	}
	return p.Attrs["Arn"], nil
}

func awsConfig(endpoint string, creds aws.CredentialsProvider) aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  aws.NewCredentialsCache(creds),
		BaseEndpoint: aws.String(endpoint),
		// The SDK's standard retries, as in Lambda: they also absorb the SDK's
		// occasional "use of closed network connection" on keep-alive reuse.
		RetryMaxAttempts: 3,
		HTTPClient:       &http.Client{Timeout: 30 * time.Second},
	}
}

// RepoRoot walks up from the working directory to the directory holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repository root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find repository root: no go.mod above the working directory")
		}
		dir = parent
	}
}
