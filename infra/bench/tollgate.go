package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tollgate-dev/tollgate/infra/demo"
	"github.com/tollgate-dev/tollgate/infra/localstack"
	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/pricing"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Limits the benchmark org runs under: every budget and rate limit the
// gate knows is on (org, workspace and API key caps; workspace and key
// requests and tokens per minute), set high enough never to refuse.
const (
	benchCap pricing.NanoUSD = 1_000_000 * 1_000_000_000 // $1M a month
	benchRPM                 = 10_000_000
	benchTPM                 = 10_000_000_000
)

// benchPrice is what the loopback models cost: an OpenAI-compatible
// connection's models need a price, as any such model does.
func benchPrice() pricing.Price {
	return pricing.Price{Input: 150_000, CachedRead: 75_000, Output: 600_000, MaxOutput: 4_096}
}

// connectionName is the workspace connection routed to an upstream.
func connectionName(u Upstream) string { return "bench-" + u.String() }

// seedTollgate creates the benchmark org through the same code paths the
// product uses (demo.Seed), then turns every limit on and adds one
// OpenAI-compatible connection per upstream, its key sealed with KMS.
func seedTollgate(ctx context.Context, stack *localstack.Stack, ups *upstreams) (demo.Demo, error) {
	d, err := demo.Seed(ctx, stack)
	if err != nil {
		return d, fmt.Errorf("seed org: %w", err)
	}
	sessions, err := stack.TenantSessions(ctx, "GatewayFunctionRole")
	if err != nil {
		return d, err
	}
	sc, err := sessions.For(ctx, d.Org)
	if err != nil {
		return d, err
	}
	store := workspace.NewStore(workspace.Config{Table: stack.TableName})
	prices := map[string]pricing.Price{}
	for u := range upstreamCount {
		prices[connectionName(u)+"/"+upstreamModel] = benchPrice()
	}
	if err := store.PutOrg(ctx, sc.DynamoDB, d.Org, workspace.Org{Name: "Bench Org", MonthlyCap: benchCap, PriceOverrides: prices}); err != nil {
		return d, fmt.Errorf("seed org limits: %w", err)
	}
	if err := store.PutSettings(ctx, sc.DynamoDB, d.Org, d.Workspace, workspace.Settings{
		Name: "bench", MonthlyCap: benchCap, RPM: benchRPM, TPM: benchTPM,
	}); err != nil {
		return d, fmt.Errorf("seed workspace limits: %w", err)
	}
	p := auth.Principal{Org: d.Org, Workspace: d.Workspace, TokenID: d.TokenID, Scopes: auth.AllScopes,
		CapNano: int64(benchCap), RPM: benchRPM, TPM: benchTPM}
	if _, err := dynamodb.NewFromConfig(stack.OperatorConfig()).PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(stack.TableName), Item: auth.LookupItem(auth.Hash(d.Token), p, time.Now().UTC().AddDate(0, 0, 1)),
	}); err != nil {
		return d, fmt.Errorf("seed key limits: %w", err)
	}
	sealer := secrets.New(secrets.Config{Table: stack.TableName, KMSKeyARN: stack.KeyARN})
	for u := range upstreamCount {
		name := connectionName(u)
		sealed, err := sealer.Seal(ctx, secrets.Scope{Org: d.Org, DynamoDB: sc.DynamoDB, KMS: sc.KMS},
			workspace.PurposeProviderKey, workspace.KeyRecord(d.Workspace, name), []byte(upstreamKey))
		if err != nil {
			return d, fmt.Errorf("seal upstream key: %w", err)
		}
		if err := store.PutConnection(ctx, sc.DynamoDB, d.Org, d.Workspace, workspace.Connection{
			Name: name, Kind: workspace.KindOpenAI, BaseURL: ups[u].URL + "/v1", SealedKey: sealed,
			Last4: upstreamKey[len(upstreamKey)-4:],
		}); err != nil {
			return d, fmt.Errorf("seed connection: %w", err)
		}
	}
	return d, nil
}

// gatewayChild is Tollgate's gateway running in its own process.
type gatewayChild struct {
	*proc
	URL string
}

// startTollgate re-executes this binary in the gateway role with the
// gateway role's credentials, its AWS calls sent to awsEndpoint (the
// enforcing endpoint, or the meter in front of it).
func startTollgate(ctx context.Context, stack *localstack.Stack, ups *upstreams, awsEndpoint, label string) (*gatewayChild, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own binary: %w", err)
	}
	arn, err := stack.RoleARN("GatewayFunctionRole")
	if err != nil {
		return nil, err
	}
	creds, err := assumeRole(ctx, stack, arn)
	if err != nil {
		return nil, err
	}
	hosts := make([]string, 0, upstreamCount)
	for _, s := range ups {
		hosts = append(hosts, s.Host())
	}
	cmd := exec.Command(self)
	cmd.Env = append(lambdaEnv(stack, creds, awsEndpoint),
		childRoleEnv+"=gateway",
		"TOLLGATE_TABLE="+stack.TableName, "TOLLGATE_TENANT_ROLE_ARN="+stack.TenantRoleARN,
		"TOLLGATE_KMS_KEY_ARN="+stack.KeyARN, "TOLLGATE_ALLOW_LOOPBACK="+strings.Join(hosts, ","))
	p, err := startProc("tollgate "+label, cmd)
	if err != nil {
		return nil, err
	}
	url, err := p.waitLine(ctx, readyPrefix, 30*time.Second)
	if err != nil {
		p.stop()
		return nil, err
	}
	return &gatewayChild{proc: p, URL: url}, nil
}

// target is the gateway as a measured target, reached with the org's key.
func (g *gatewayChild) target(d demo.Demo) Target {
	tg := Target{Name: NameTollgate, PIDs: func() []int { return []int{g.pid()} }}
	for u := range upstreamCount {
		tg.Endpoints[u] = Endpoint{URL: g.URL + "/v1/chat/completions", Header: bearer(d.Token), Model: connectionName(u) + "/" + upstreamModel}
	}
	return tg
}

// handlerStats reads the child's handler durations and in-flight count.
func (g *gatewayChild) handlerStats(ctx context.Context) (handlerStats, error) {
	var st handlerStats
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.URL+handlerPath, nil)
	if err != nil {
		return st, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return st, fmt.Errorf("read handler stats: %w", err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("decode handler stats: %w", err)
	}
	return st, nil
}

// resetHandlerStats forgets the durations recorded so far.
func (g *gatewayChild) resetHandlerStats(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, g.URL+handlerPath, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("reset handler stats: %w", err)
	}
	return resp.Body.Close()
}

// settled waits until no call is in flight: settlement follows the
// response, so a client may be done before the gateway is.
func (g *gatewayChild) settled(ctx context.Context) (handlerStats, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := g.handlerStats(ctx)
		if err != nil || st.Inflight == 0 {
			return st, err
		}
		if time.Now().After(deadline) {
			return st, fmt.Errorf("tollgate: %d calls still in flight after 30s", st.Inflight)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// assumeRole returns a session of roleARN, as the Lambda service hands a
// function its execution role.
func assumeRole(ctx context.Context, stack *localstack.Stack, roleARN string) (aws.Credentials, error) {
	out, err := sts.NewFromConfig(stack.OperatorConfig()).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(roleARN), RoleSessionName: aws.String("bench"), DurationSeconds: aws.Int32(3600)})
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("assume %s: %w", roleARN, err)
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken: aws.ToString(c.SessionToken)}, nil
}

// lambdaEnv is the environment Lambda gives a function, pointed at the
// local stack: only these variables, so nothing on the host (profiles,
// shared config) changes what the function does.
func lambdaEnv(stack *localstack.Stack, creds aws.Credentials, endpoint string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"), "TMPDIR=" + os.TempDir(),
		"AWS_REGION=" + localstack.Region, "AWS_DEFAULT_REGION=" + localstack.Region,
		"AWS_ENDPOINT_URL=" + endpoint,
		"AWS_ACCESS_KEY_ID=" + creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + creds.SessionToken,
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// cpuProfile fetches a CPU profile of the child's next seconds into path.
func (g *gatewayChild) cpuProfile(ctx context.Context, seconds int, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s%s?seconds=%d", g.URL, profilePath, seconds), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("cpu profile: status %d", resp.StatusCode)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("cpu profile: %w", err)
	}
	return f.Close()
}
