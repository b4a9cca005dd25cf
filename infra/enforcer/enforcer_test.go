package enforcer

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/tollgate-dev/tollgate/infra/cfn"
)

func TestStatsEndpoint(t *testing.T) {
	h := newHarness(t, projectTmpl)
	db := h.dynamo(h.tenant("org_a"))
	ctx := context.Background()
	h.enf.ResetStats()
	_, _ = db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: key("ORG#org_a", "P")})
	_, _ = db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: key("ORG#org_b", "P")})
	_, _ = db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(tableName)})
	_, _ = h.dynamo(h.cfg(aws.Credentials{AccessKeyID: "AKIAUNKNOWN000000000", SecretAccessKey: "x"})).ListTables(ctx, &dynamodb.ListTablesInput{})

	resp, err := http.Get(h.srv.URL + "/_enforcer/stats")
	if err != nil {
		t.Fatal(err)
	}
	var got Stats
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got.Requests != 4 || got.Allowed != 1 || got.Denied != 2 || got.Rejected != 1 {
		t.Fatalf("totals = %+v", got)
	}
	if c := got.Operations["dynamodb:GetItem"]; c != (Count{Requests: 2, Allowed: 1, Denied: 1}) {
		t.Fatalf("GetItem = %+v", c)
	}
	if c := got.Operations["dynamodb:Scan"]; c != (Count{Requests: 1, Denied: 1}) {
		t.Fatalf("Scan = %+v", c)
	}
	if c := got.Services["dynamodb"]; c.Requests != 4 {
		t.Fatalf("dynamodb = %+v", c)
	}
	if s := h.enf.Stats(); s.Requests != got.Requests {
		t.Fatalf("Stats() = %+v", s)
	}

	req, _ := http.NewRequest(http.MethodDelete, h.srv.URL+"/_enforcer/stats", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("reset: %v %v", resp, err)
	}
	if s := h.enf.Stats(); s.Requests != 0 || len(s.Operations) != 0 {
		t.Fatalf("after reset = %+v", s)
	}
	if resp, _ := http.Get(h.srv.URL + "/_enforcer/nothing"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown admin path: %d", resp.StatusCode)
	}
}

func TestUpstreamDown(t *testing.T) {
	h := newHarness(t, projectTmpl)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL, _ := url.Parse(dead.URL)
	dead.Close()
	h.enf.dynamo = h.enf.newReverseProxy(deadURL)

	creds, _ := h.tenant("org_a").Credentials.Retrieve(context.Background())
	body := []byte(`{"TableName":"` + tableName + `","Key":{"pk":{"S":"ORG#org_a"},"sk":{"S":"P"}}}`)
	resp := h.signedRequest(creds, "dynamodb", "POST", "/", jsonHeader("DynamoDB_20120810.GetItem", "1.0"), body, nil)
	if resp.status != http.StatusBadGateway || !strings.Contains(string(resp.body), "ServiceUnavailable") {
		t.Fatalf("status %d: %s", resp.status, resp.body)
	}
	if strings.Contains(string(resp.body), deadURL.Host) || strings.Contains(string(resp.body), "127.0.0.1") {
		t.Fatalf("error names an internal address: %s", resp.body)
	}
	if s := h.enf.Stats(); s.UpstreamErrors != 1 {
		t.Fatalf("stats = %+v", s)
	}
}

func TestNewRefuses(t *testing.T) {
	tmpl, err := cfn.Load(projectTmpl)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("http://127.0.0.1:1")
	good := Config{Template: tmpl, Env: testEnv(tmpl), DynamoDB: u, Moto: u, Operator: operatorCreds}
	if _, err := New(good); err != nil {
		t.Fatalf("good config: %v", err)
	}
	parse := func(y string) *cfn.Template {
		tp, err := cfn.Parse([]byte(y))
		if err != nil {
			t.Fatal(err)
		}
		return tp
	}
	role := func(statement string) string {
		return `
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: "2012-10-17"
            Statement: [` + statement + `]
`
	}
	tests := []struct {
		name string
		cfg  func(Config) Config
		want string
	}{
		{"no template", func(c Config) Config { c.Template = nil; return c }, "no template"},
		{"no upstream", func(c Config) Config { c.Moto = nil; return c }, "upstream"},
		{"no operator", func(c Config) Config { c.Operator = Credentials{}; return c }, "operator"},
		{"no account", func(c Config) Config { c.Env.AccountID = ""; return c }, "account"},
		{"table not created", func(c Config) Config {
			c.Env.Physical = map[string]cfn.Physical{}
			for k, v := range testEnv(tmpl).Physical {
				if k != "Table" {
					c.Env.Physical[k] = v
				}
			}
			return c
		}, "Table"},
		{"condition key the enforcer does not supply", func(c Config) Config {
			c.Template = parse(role(`{Effect: Allow, Action: dynamodb:GetItem, Resource: "*", Condition: {"ForAllValues:StringEquals": {dynamodb:Attributes: [a]}}}`))
			c.Env = testEnv(c.Template)
			return c
		}, "dynamodb:attributes"},
		{"unsupported operator", func(c Config) Config {
			c.Template = parse(role(`{Effect: Allow, Action: s3:GetObject, Resource: "*", Condition: {DateLessThan: {aws:CurrentTime: "2030-01-01T00:00:00Z"}}}`))
			c.Env = testEnv(c.Template)
			return c
		}, "not supported"},
		{"identity policy without resource", func(c Config) Config {
			c.Template = parse(role(`{Effect: Allow, Action: s3:GetObject}`))
			c.Env = testEnv(c.Template)
			return c
		}, "missing Resource"},
		{"boundary outside the template", func(c Config) Config {
			c.Template = parse(role(`{Effect: Allow, Action: s3:GetObject, Resource: "*"}`) + `      PermissionsBoundary: arn:aws:iam::123456789012:policy/elsewhere
`)
			c.Env = testEnv(c.Template)
			return c
		}, "permissions boundary"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg(good))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestUpdateEnv(t *testing.T) {
	h := newHarness(t, projectTmpl)
	k := h.kms(h.tenant("org_a"))
	ctx := context.Background()
	gen := func(keyID string) error {
		_, err := k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(keyID), NumberOfBytes: aws.Int32(32),
			EncryptionContext: map[string]string{"org": "org_a"}})
		return err
	}
	const newKey = "arn:aws:kms:us-east-1:123456789012:key/rotated"
	if errCode(t, gen(newKey)) != "AccessDeniedException" {
		t.Fatal("new key allowed before UpdateEnv")
	}
	tmpl, _ := cfn.Load(projectTmpl)
	env := testEnv(tmpl)
	env.Physical["DataKey"] = cfn.Physical{Ref: "rotated", Attrs: map[string]string{"Arn": newKey}}
	if err := h.enf.UpdateEnv(env); err != nil {
		t.Fatal(err)
	}
	if err := gen(newKey); err != nil {
		t.Fatalf("new key after UpdateEnv: %v", err)
	}
	if errCode(t, gen(dataKeyARN)) != "AccessDeniedException" {
		t.Fatal("old key still allowed")
	}
	bad := env
	bad.AccountID = ""
	if err := h.enf.UpdateEnv(bad); err == nil {
		t.Fatal("UpdateEnv accepted a broken environment")
	}
}

// TestLogsHoldNoSecrets runs allowed, denied and rejected requests and checks
// that no secret key or session token reached the log.
func TestLogsHoldNoSecrets(t *testing.T) {
	h := newHarness(t, projectTmpl)
	ctx := context.Background()
	cfg := h.tenant("org_a")
	db := h.dynamo(cfg)
	_, _ = db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: key("ORG#org_a", "P")})
	_, _ = db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: key("ORG#org_b", "P")})
	creds, _ := cfg.Credentials.Retrieve(ctx)
	bad := creds
	bad.SecretAccessKey = "x"
	_, _ = h.dynamo(h.cfg(bad)).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: key("ORG#org_a", "P")})

	logs := h.logs.String()
	if !strings.Contains(logs, "access denied") || !strings.Contains(logs, creds.AccessKeyID) {
		t.Fatalf("expected decisions in the log:\n%s", logs)
	}
	secrets := []string{operatorCreds.SecretAccessKey}
	h.enf.sessions.mu.Lock()
	for _, s := range h.enf.sessions.m {
		secrets = append(secrets, s.secret, s.token)
	}
	h.enf.sessions.mu.Unlock()
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Fatalf("a secret reached the log")
		}
	}
}

func TestSessionStoreBounded(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	st := newSessionStore(3)
	put := func(id string, ttl time.Duration) { st.put(&session{accessKeyID: id, expires: now.Add(ttl)}, now) }
	put("expired", -time.Minute)
	put("late", 3*time.Hour)
	put("soon", time.Hour)
	put("new1", 2*time.Hour) // full: the expired session goes
	if _, ok := st.get("expired"); ok || st.len() != 3 {
		t.Fatalf("expired session kept, len %d", st.len())
	}
	put("new2", 2*time.Hour) // full, none expired: the soonest-expiring goes
	if _, ok := st.get("soon"); ok || st.len() != 3 {
		t.Fatalf("soonest-expiring session kept, len %d", st.len())
	}
	put("late", 4*time.Hour) // replacing an existing key evicts nothing
	for _, id := range []string{"late", "new1", "new2"} {
		if _, ok := st.get(id); !ok {
			t.Fatalf("%s evicted", id)
		}
	}
}

func TestUnmappedOperations(t *testing.T) {
	h := newHarness(t, projectTmpl)
	op := aws.Credentials{AccessKeyID: operatorCreds.AccessKeyID, SecretAccessKey: operatorCreds.SecretAccessKey}
	tenant, _ := h.tenant("org_a").Credentials.Retrieve(context.Background())
	tests := []struct {
		name    string
		creds   aws.Credentials
		service string
		target  string
		status  int
	}{
		{"operator, unmapped DynamoDB operation", op, "dynamodb", "DynamoDB_20120810.DescribeGlobalTable", 200},
		{"tenant, unmapped DynamoDB operation", tenant, "dynamodb", "DynamoDB_20120810.DescribeGlobalTable", 400},
		{"tenant, another API signed for dynamodb", tenant, "dynamodb", "DynamoDBStreams_20120810.GetRecords", 400},
		{"tenant, KMS target signed for dynamodb", tenant, "dynamodb", "TrentService.Decrypt", 400},
		{"operator, any service", op, "events", "AWSEvents.PutEvents", 200},
		{"tenant, a service its role does not grant", tenant, "events", "AWSEvents.PutEvents", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := h.ddb.count() + h.moto.count()
			resp := h.signedRequest(tc.creds, tc.service, "POST", "/", jsonHeader(tc.target, "1.1"), []byte(`{}`), nil)
			if resp.status != tc.status {
				t.Fatalf("status %d: %s", resp.status, resp.body)
			}
			if forwarded := h.ddb.count() + h.moto.count() - before; (tc.status == 200) != (forwarded == 1) {
				t.Fatalf("forwarded %d", forwarded)
			}
		})
	}
}
