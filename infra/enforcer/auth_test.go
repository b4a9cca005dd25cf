package enforcer

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestAuthentication(t *testing.T) {
	h := newHarness(t, projectTmpl)
	tenant, err := h.tenant("org_a").Credentials.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	unknown := aws.Credentials{AccessKeyID: "AKIAUNKNOWN000000000", SecretAccessKey: "whatever"}
	wrongSecret := tenant
	wrongSecret.SecretAccessKey = "not-the-secret"
	noToken := tenant
	noToken.SessionToken = ""
	wrongToken := tenant
	wrongToken.SessionToken = "forged-token"
	badOperator := aws.Credentials{AccessKeyID: operatorCreds.AccessKeyID, SecretAccessKey: "guess"}

	getItem := func(c aws.Credentials) error {
		_, err := h.dynamo(h.cfg(c)).GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: key("ORG#org_a", "P")})
		return err
	}
	callerID := func(c aws.Credentials) error {
		_, err := sts.NewFromConfig(h.cfg(c)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		return err
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"valid tenant", func() error { return getItem(tenant) }, ""},
		{"unknown key, JSON service", func() error { return getItem(unknown) }, "UnrecognizedClientException"},
		{"unknown key, STS", func() error { return callerID(unknown) }, "InvalidClientTokenId"},
		{"wrong secret, JSON service", func() error { return getItem(wrongSecret) }, "InvalidSignatureException"},
		{"wrong secret, STS", func() error { return callerID(wrongSecret) }, "SignatureDoesNotMatch"},
		{"wrong operator secret", func() error { return getItem(badOperator) }, "InvalidSignatureException"},
		{"session key without its token", func() error { return getItem(noToken) }, "UnrecognizedClientException"},
		{"session key with a forged token", func() error { return getItem(wrongToken) }, "UnrecognizedClientException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := h.ddb.count() + h.moto.count()
			err := tc.call()
			if got := errCode(t, err); got != tc.want {
				t.Fatalf("code %q (%v), want %q", got, err, tc.want)
			}
			if forwarded := h.ddb.count() + h.moto.count() - before; (tc.want == "") != (forwarded > 0) {
				t.Fatalf("forwarded %d with code %q", forwarded, tc.want)
			}
		})
	}
}

// TestTamperedRequests signs a request and changes it afterwards.
func TestTamperedRequests(t *testing.T) {
	h := newHarness(t, projectTmpl)
	creds, _ := h.tenant("org_a").Credentials.Retrieve(context.Background())
	own := []byte(`{"TableName":"` + tableName + `","Key":{"pk":{"S":"ORG#org_a"},"sk":{"S":"P"}}}`)
	foreign := []byte(`{"TableName":"` + tableName + `","Key":{"pk":{"S":"ORG#org_b"},"sk":{"S":"P"}}}`)
	tests := []struct {
		name     string
		mutate   func(*http.Request)
		wantCode string
	}{
		{"untouched", nil, ""},
		{"body swapped for another org's key", func(r *http.Request) {
			r.Body = io.NopCloser(bytes.NewReader(foreign))
		}, "InvalidSignatureException"},
		{"signed header changed", func(r *http.Request) { r.Header.Set("X-Amz-Target", "DynamoDB_20120810.DeleteItem") }, "InvalidSignatureException"},
		{"signature altered", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=", "Signature=00", 1)[:len(r.Header.Get("Authorization"))])
		}, "InvalidSignatureException"},
		{"no authorization", func(r *http.Request) { r.Header.Del("Authorization") }, "MissingAuthenticationTokenException"},
		{"malformed authorization", func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x") }, "IncompleteSignatureException"},
		{"no date", func(r *http.Request) { r.Header.Del("X-Amz-Date") }, "InvalidSignatureException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := h.ddb.count()
			resp := h.signedRequest(creds, "dynamodb", "POST", "/", jsonHeader("DynamoDB_20120810.GetItem", "1.0"), own, tc.mutate)
			var got map[string]string
			_ = json.Unmarshal(resp.body, &got)
			code := strings.TrimPrefix(got["__type"], "com.amazon.coral.service#")
			if resp.status == 200 {
				code = ""
			}
			if code != tc.wantCode {
				t.Fatalf("status %d code %q, want %q: %s", resp.status, code, tc.wantCode, resp.body)
			}
			if forwarded := h.ddb.count() - before; (tc.wantCode == "") != (forwarded == 1) {
				t.Fatalf("forwarded %d", forwarded)
			}
		})
	}
}

func TestExpiredSession(t *testing.T) {
	h := newHarness(t, projectTmpl)
	h.moto.setExpiry(5 * time.Minute)
	cfg := h.tenant("org_a")
	ctx := context.Background()
	get := func() error {
		_, err := h.dynamo(cfg).GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: key("ORG#org_a", "P")})
		return err
	}
	if err := get(); err != nil {
		t.Fatalf("fresh session: %v", err)
	}
	h.clock.advance(10 * time.Minute) // past expiry, still within the signature skew
	if err := get(); errCode(t, err) != "ExpiredTokenException" {
		t.Fatalf("dynamodb after expiry: %v", err)
	}
	_, err := h.kms(cfg).Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(dataKeyARN), CiphertextBlob: []byte("x")})
	if errCode(t, err) != "ExpiredTokenException" {
		t.Fatalf("kms after expiry: %v", err)
	}
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if errCode(t, err) != "ExpiredToken" {
		t.Fatalf("sts after expiry: %v", err)
	}
}

func TestSignatureSkew(t *testing.T) {
	h := newHarness(t, projectTmpl)
	h.clock.advance(20 * time.Minute)
	_, err := h.dynamo(h.operator()).ListTables(context.Background(), &dynamodb.ListTablesInput{})
	if errCode(t, err) != "InvalidSignatureException" || !strings.Contains(errMessage(err), "Signature expired") {
		t.Fatalf("skewed request: %v", err)
	}
}

func TestUnsignedWireShapes(t *testing.T) {
	h := newHarness(t, projectTmpl)
	tests := []struct {
		name     string
		header   http.Header
		body     string
		status   int
		contains string
	}{
		{"json", jsonHeader("DynamoDB_20120810.GetItem", "1.0"), "{}", 400, `"__type":"com.amazon.coral.service#MissingAuthenticationTokenException"`},
		{"kms json", jsonHeader("TrentService.Decrypt", "1.1"), "{}", 400, `"__type":"MissingAuthenticationTokenException"`},
		{"query", formHeader(), "Action=GetCallerIdentity&Version=2011-06-15", 403, "<Code>MissingAuthenticationToken</Code>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", h.srv.URL+"/", strings.NewReader(tc.body))
			req.Header = tc.header
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) {
				t.Fatalf("status %d body %s", resp.StatusCode, body)
			}
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	good := "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd"
	a, err := parseAuthorization(good)
	if err != nil || a.accessKeyID != "AKID" || a.date != "20240101" || a.region != "us-east-1" || a.service != "dynamodb" ||
		strings.Join(a.signedHeaders, ";") != "host;x-amz-date" || a.signature != "abcd" {
		t.Fatalf("parsed %+v, %v", a, err)
	}
	for _, bad := range []string{
		"",
		"Basic dXNlcjpwYXNz",
		"AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb, SignedHeaders=host, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host",
		"AWS4-HMAC-SHA256 garbage",
	} {
		if _, err := parseAuthorization(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// TestAmbiguousRequests: what two parsers could read differently is refused
// before authorization.
func TestAmbiguousRequests(t *testing.T) {
	h := newHarness(t, projectTmpl)
	creds, _ := h.tenant("org_a").Credentials.Retrieve(context.Background())
	dup := []byte(`{"TableName":"` + tableName + `","Key":{"pk":{"S":"ORG#org_a"},"sk":{"S":"P"}},"Key":{"pk":{"S":"ORG#org_b"},"sk":{"S":"P"}}}`)
	resp := h.signedRequest(creds, "dynamodb", "POST", "/", jsonHeader("DynamoDB_20120810.GetItem", "1.0"), dup, nil)
	if resp.status != 400 || !strings.Contains(string(resp.body), "SerializationException") {
		t.Fatalf("duplicate key: %d %s", resp.status, resp.body)
	}
	gw, _ := h.gateway().Credentials.Retrieve(context.Background())
	form := "Action=AssumeRole&Version=2011-06-15&RoleArn=" + tenantARN + "&RoleSessionName=x1&Tags.member.1.Key=org&Tags.member.1.Value=org_a&Tags.member.1.Value=org_b"
	resp = h.signedRequest(gw, "sts", "POST", "/", formHeader(), []byte(form), nil)
	if resp.status != 400 || !strings.Contains(string(resp.body), "ValidationError") {
		t.Fatalf("repeated parameter: %d %s", resp.status, resp.body)
	}
	if h.ddb.count() != 0 {
		t.Fatal("an ambiguous request was forwarded")
	}
}
