package enforcer

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/tollgate-dev/tollgate/infra/cfn"
)

const (
	testRegion  = "us-east-1"
	testAccount = "123456789012"
	testStack   = "tollgate"
	tableName   = "tollgate-Table"
	tableARN    = "arn:aws:dynamodb:us-east-1:123456789012:table/tollgate-Table"
	dataKeyID   = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
	dataKeyARN  = "arn:aws:kms:us-east-1:123456789012:key/" + dataKeyID
	gatewayARN  = "arn:aws:iam::123456789012:role/tollgate-GatewayFunctionRole"
	tenantARN   = "arn:aws:iam::123456789012:role/tollgate-tenant"
	projectTmpl = "../../template.yaml"
)

var operatorCreds = Credentials{AccessKeyID: "AKIAOPERATOR00000001", SecretAccessKey: "operator-secret-never-logged"}

// recorded is one request an upstream received.
type recorded struct {
	service string
	op      string
	host    string
	header  http.Header
	body    []byte
}

// upstream is a loopback stand-in for DynamoDB Local or moto that records
// what the enforcer forwarded and answers in the service's wire format.
type upstream struct {
	srv *httptest.Server

	mu        sync.Mutex
	got       []recorded
	expiresIn time.Duration
	issued    map[string]string // access key -> secret (never logged by the enforcer)
}

func newUpstream(t *testing.T) *upstream {
	u := &upstream{expiresIn: time.Hour, issued: map[string]string{}}
	u.srv = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) requests() []recorded {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]recorded(nil), u.got...)
}

func (u *upstream) count() int { return len(u.requests()) }

func (u *upstream) last() recorded {
	r := u.requests()
	if len(r) == 0 {
		return recorded{}
	}
	return r[len(r)-1]
}

func (u *upstream) setExpiry(d time.Duration) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.expiresIn = d
}

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	a, _ := parseAuthorization(r.Header.Get("Authorization"))
	rec := recorded{service: a.service, host: r.Host, header: r.Header.Clone(), body: body}
	target := r.Header.Get("X-Amz-Target")
	if i := strings.LastIndexByte(target, '.'); i >= 0 {
		rec.op = target[i+1:]
	}
	var form url.Values
	if target == "" {
		form, _ = url.ParseQuery(string(body))
		rec.op = form.Get("Action")
	}
	u.mu.Lock()
	u.got = append(u.got, rec)
	expiresIn := u.expiresIn
	u.mu.Unlock()

	switch {
	case a.service == "sts" && rec.op == "AssumeRole":
		akid, secret, token := "ASIA"+randHex(8), randHex(20), randHex(32)
		u.mu.Lock()
		u.issued[akid] = secret
		u.mu.Unlock()
		role := lastSegment(form.Get("RoleArn"))
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>`+
			`<AssumedRoleUser><AssumedRoleId>AROATEST:%s</AssumedRoleId><Arn>arn:aws:sts::%s:assumed-role/%s/%s</Arn></AssumedRoleUser>`+
			`<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>`+
			`</AssumeRoleResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			form.Get("RoleSessionName"), testAccount, role, form.Get("RoleSessionName"),
			akid, secret, token, time.Now().Add(expiresIn).UTC().Format(time.RFC3339))
	case a.service == "sts":
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:sts::%s:assumed-role/x/y</Arn><UserId>AROATEST:y</UserId><Account>%s</Account></GetCallerIdentityResult>`+
			`<ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, testAccount, testAccount)
	case a.service == "kms":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		plain := base64.StdEncoding.EncodeToString(make([]byte, 32))
		switch rec.op {
		case "GenerateDataKey":
			fmt.Fprintf(w, `{"CiphertextBlob":%q,"KeyId":%q,"Plaintext":%q}`, base64.StdEncoding.EncodeToString([]byte("wrapped")), dataKeyARN, plain)
		case "Decrypt":
			fmt.Fprintf(w, `{"KeyId":%q,"Plaintext":%q}`, dataKeyARN, plain)
		default:
			io.WriteString(w, "{}")
		}
	case a.service == "sqs" && target != "":
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		var in struct{ MessageBody string }
		_ = json.Unmarshal(body, &in)
		switch rec.op {
		case "SendMessage":
			sum := md5.Sum([]byte(in.MessageBody))
			fmt.Fprintf(w, `{"MessageId":"m-1","MD5OfMessageBody":%q}`, hex.EncodeToString(sum[:]))
		default:
			io.WriteString(w, "{}")
		}
	case a.service == "sqs":
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<SendMessageResponse><SendMessageResult><MessageId>m-1</MessageId></SendMessageResult></SendMessageResponse>`)
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		io.WriteString(w, "{}")
	}
}

// clock is the enforcer's injected clock: real time (the SDK signs with
// it) plus an offset a test can move.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// harness runs the enforcer over httptest with fake upstreams.
type harness struct {
	t     *testing.T
	enf   *Enforcer
	srv   *httptest.Server
	ddb   *upstream
	moto  *upstream
	clock *clock
	logs  *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testEnv gives every resource of tmpl a physical identity, the way the local
// stack does after creating them.
func testEnv(tmpl *cfn.Template) cfn.Env {
	env := cfn.Env{StackName: testStack, Region: testRegion, AccountID: testAccount, Physical: map[string]cfn.Physical{}}
	for id, r := range tmpl.Resources {
		switch r.Type {
		case "AWS::DynamoDB::Table":
			name := testStack + "-" + id
			env.Physical[id] = cfn.Physical{Ref: name, Attrs: map[string]string{"Arn": "arn:aws:dynamodb:us-east-1:123456789012:table/" + name}}
		case "AWS::KMS::Key":
			env.Physical[id] = cfn.Physical{Ref: dataKeyID, Attrs: map[string]string{"Arn": dataKeyARN, "KeyId": dataKeyID}}
		case "AWS::KMS::Alias":
			env.Physical[id] = cfn.Physical{Ref: "alias/" + testStack + "-data"}
		case "AWS::SQS::Queue":
			name := testStack + "-" + id
			env.Physical[id] = cfn.Physical{Ref: "http://localhost:4566/123456789012/" + name,
				Attrs: map[string]string{"Arn": "arn:aws:sqs:us-east-1:123456789012:" + name, "QueueName": name}}
		case cfn.TypeRole, cfn.TypeManagedPolicy:
		default:
			env.Physical[id] = cfn.Physical{Ref: id, Attrs: map[string]string{"Arn": "arn:aws:local:us-east-1:123456789012:" + id}}
		}
	}
	return env
}

func newHarness(t *testing.T, templatePath string) *harness {
	t.Helper()
	tmpl, err := cfn.Load(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, ddb: newUpstream(t), moto: newUpstream(t), clock: &clock{}, logs: &lockedBuffer{}}
	ddbURL, _ := url.Parse(h.ddb.srv.URL)
	motoURL, _ := url.Parse(h.moto.srv.URL)
	h.enf, err = New(Config{
		Template: tmpl,
		Env:      testEnv(tmpl),
		DynamoDB: ddbURL,
		Moto:     motoURL,
		Operator: operatorCreds,
		Clock:    h.clock.now,
		Logger:   slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.srv = httptest.NewServer(h.enf)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *harness) cfg(creds aws.Credentials) aws.Config {
	return aws.Config{
		Region:       testRegion,
		Credentials:  credentials.StaticCredentialsProvider{Value: creds},
		BaseEndpoint: aws.String(h.srv.URL),
		Retryer:      connectionRetryer,
	}
}

// connectionRetryer retries only connection errors, quickly. The SDK's own
// standard retryer does the same for the client-side race of
// aws/aws-sdk-go-v2#2737 (a pooled connection closed by the transport's
// write loop while the response is read); everything else must surface at
// once so a refusal is seen as the enforcer sent it.
func connectionRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 3
		o.Retryables = []retry.IsErrorRetryable{retry.RetryableConnectionError{}}
		o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return time.Millisecond, nil })
		o.RateLimiter = ratelimit.None
	})
}

func (h *harness) operator() aws.Config {
	return h.cfg(aws.Credentials{AccessKeyID: operatorCreds.AccessKeyID, SecretAccessKey: operatorCreds.SecretAccessKey})
}

// assume calls AssumeRole with cfg's credentials and returns the session's.
func (h *harness) assume(cfg aws.Config, roleARN, session string, tags map[string]string) (aws.Credentials, error) {
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(session)}
	for k, v := range tags {
		in.Tags = append(in.Tags, ststypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), in)
	if err != nil {
		return aws.Credentials{}, err
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: *c.AccessKeyId, SecretAccessKey: *c.SecretAccessKey, SessionToken: *c.SessionToken, Expires: *c.Expiration, CanExpire: true}, nil
}

// gateway returns a GatewayFunctionRole session, as the local process gets
// one from the operator.
func (h *harness) gateway() aws.Config {
	h.t.Helper()
	creds, err := h.assume(h.operator(), gatewayARN, "gateway", nil)
	if err != nil {
		h.t.Fatalf("operator assumes gateway role: %v", err)
	}
	return h.cfg(creds)
}

// tenant returns a TenantRole session tagged org=<org>, assumed by the
// gateway role exactly as the functions do.
func (h *harness) tenant(org string) aws.Config {
	h.t.Helper()
	creds, err := h.assume(h.gateway(), tenantARN, "t-"+org, map[string]string{"org": org})
	if err != nil {
		h.t.Fatalf("gateway assumes tenant role for %s: %v", org, err)
	}
	return h.cfg(creds)
}

func (h *harness) dynamo(cfg aws.Config) *dynamodb.Client { return dynamodb.NewFromConfig(cfg) }
func (h *harness) kms(cfg aws.Config) *kms.Client         { return kms.NewFromConfig(cfg) }
func (h *harness) sqs(cfg aws.Config) *sqs.Client         { return sqs.NewFromConfig(cfg) }

// errCode returns the AWS error code of err ("" for nil).
func errCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("not an AWS API error: %v", err)
	}
	return ae.ErrorCode()
}

func errMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

// rawResponse is an HTTP answer read in full.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// signedRequest signs and sends a request by hand, for wire-shape checks and
// for requests no SDK would send (bad signatures, tampered bodies).
func (h *harness) signedRequest(creds aws.Credentials, service, method, path string, header http.Header, body []byte, mutate func(*http.Request)) rawResponse {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, testRegion, time.Now()); err != nil {
		h.t.Fatal(err)
	}
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: data}
}

func jsonHeader(target, version string) http.Header {
	return http.Header{"X-Amz-Target": {target}, "Content-Type": {"application/x-amz-json-" + version}}
}

func formHeader() http.Header {
	return http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}
