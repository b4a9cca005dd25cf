package enforcer

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func TestAssumeRole(t *testing.T) {
	h := newHarness(t, projectTmpl)
	gw := h.gateway()
	tenant := h.tenant("org_a")

	many := map[string]string{}
	for i := 0; i < 51; i++ {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	tests := []struct {
		name    string
		cfg     aws.Config
		role    string
		tags    map[string]string
		dur     int32
		want    string
		wantMsg string
	}{
		{"gateway becomes an org", gw, tenantARN, map[string]string{"org": "org_0123456789abcdefghjk"}, 0, "", ""},
		{"extra tags are allowed too", gw, tenantARN, map[string]string{"org": "org_x", "team": "blue"}, 0, "", ""},
		{"tag value with # is refused by STS", gw, tenantARN, map[string]string{"org": "ORG#org_a"}, 0, "ValidationError",
			"Member must satisfy regular expression pattern"},
		{"tag key too long", gw, tenantARN, map[string]string{strings.Repeat("k", 129): "org_a"}, 0, "ValidationError", "less than or equal to 128"},
		{"tag value too long", gw, tenantARN, map[string]string{"org": "org_" + strings.Repeat("a", 253)}, 0, "ValidationError", "less than or equal to 256"},
		{"too many tags", gw, tenantARN, many, 0, "ValidationError", "less than or equal to 50"},
		{"reserved tag key", gw, tenantARN, map[string]string{"aws:org": "org_a"}, 0, "ValidationError", "reserved"},
		{"tag that is not an org ID", gw, tenantARN, map[string]string{"org": "tok_abc"}, 0, "AccessDenied",
			"User: arn:aws:sts::123456789012:assumed-role/tollgate-GatewayFunctionRole/gateway is not authorized to perform: sts:AssumeRole on resource: " + tenantARN},
		{"no org tag", gw, tenantARN, nil, 0, "AccessDenied", "sts:AssumeRole"},
		{"a tenant session cannot re-tag itself", tenant, tenantARN, map[string]string{"org": "org_b"}, 0, "AccessDenied",
			"assumed-role/tollgate-tenant/t-org_a is not authorized to perform: sts:AssumeRole"},
		{"gateway may not assume its own role", gw, gatewayARN, nil, 0, "AccessDenied", "sts:AssumeRole on resource: " + gatewayARN},
		{"role not in the template", gw, "arn:aws:iam::123456789012:role/other", map[string]string{"org": "org_a"}, 0, "AccessDenied", "sts:AssumeRole"},
		{"over the role's maximum", gw, tenantARN, map[string]string{"org": "org_a"}, 7200, "ValidationError", "MaxSessionDuration"},
		{"duration under 15 minutes", gw, tenantARN, map[string]string{"org": "org_a"}, 60, "ValidationError", "greater than or equal to 900"},
		{"operator may assume anything", h.operator(), tenantARN, nil, 0, "", ""},
		{"operator over the role's maximum", h.operator(), tenantARN, nil, 7200, "ValidationError", "MaxSessionDuration"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := h.moto.count()
			in := &sts.AssumeRoleInput{RoleArn: aws.String(tc.role), RoleSessionName: aws.String("s1")}
			if tc.dur != 0 {
				in.DurationSeconds = aws.Int32(tc.dur)
			}
			for k, v := range tc.tags {
				in.Tags = append(in.Tags, ststypes.Tag{Key: aws.String(k), Value: aws.String(v)})
			}
			_, err := sts.NewFromConfig(tc.cfg).AssumeRole(context.Background(), in)
			if got := errCode(t, err); got != tc.want {
				t.Fatalf("code %q (%v), want %q", got, err, tc.want)
			}
			if tc.wantMsg != "" && !strings.Contains(errMessage(err), tc.wantMsg) {
				t.Fatalf("message %q lacks %q", errMessage(err), tc.wantMsg)
			}
			if forwarded := h.moto.count() - before; (tc.want == "") != (forwarded > 0) {
				t.Fatalf("forwarded %d times with code %q", forwarded, tc.want)
			}
		})
	}
}

func TestSessionTagsBecomePrincipalTags(t *testing.T) {
	h := newHarness(t, projectTmpl)
	creds, err := h.assume(h.gateway(), tenantARN, "probe", map[string]string{"org": "org_q", "team": "red"})
	if err != nil {
		t.Fatal(err)
	}
	sess, ok := h.enf.sessions.get(creds.AccessKeyID)
	if !ok {
		t.Fatal("session not recorded")
	}
	if sess.tags["org"] != "org_q" || sess.tags["team"] != "red" || sess.roleARN != tenantARN || sess.sessionName != "probe" {
		t.Fatalf("session = %+v", sess)
	}
	if sess.userID != "AROATEST:probe" {
		t.Fatalf("userID = %q", sess.userID)
	}
}

func TestGetCallerIdentityForEveryone(t *testing.T) {
	h := newHarness(t, projectTmpl)
	for name, cfg := range map[string]aws.Config{"operator": h.operator(), "gateway": h.gateway(), "tenant": h.tenant("org_a")} {
		t.Run(name, func(t *testing.T) {
			out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			if err != nil || aws.ToString(out.Account) != testAccount {
				t.Fatalf("GetCallerIdentity: %v", err)
			}
		})
	}
	_, err := sts.NewFromConfig(h.tenant("org_a")).GetSessionToken(context.Background(), &sts.GetSessionTokenInput{})
	if errCode(t, err) != "AccessDenied" {
		t.Fatalf("tenant GetSessionToken: %v", err)
	}
}

// TestSTSWireShape checks the refusal against STS's XML error format.
func TestSTSWireShape(t *testing.T) {
	h := newHarness(t, projectTmpl)
	creds, _ := h.gateway().Credentials.Retrieve(context.Background())
	form := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleArn": {tenantARN}, "RoleSessionName": {"x1"},
		"Tags.member.1.Key": {"org"}, "Tags.member.1.Value": {"nope"}}
	resp := h.signedRequest(creds, "sts", "POST", "/", formHeader(), []byte(form.Encode()), nil)
	if resp.status != 403 || !strings.HasPrefix(resp.header.Get("Content-Type"), "text/xml") {
		t.Fatalf("status %d, type %q", resp.status, resp.header.Get("Content-Type"))
	}
	var got struct {
		XMLName xml.Name `xml:"ErrorResponse"`
		Error   struct{ Type, Code, Message string }
		ReqID   string `xml:"RequestId"`
	}
	if err := xml.Unmarshal(resp.body, &got); err != nil {
		t.Fatalf("%v: %s", err, resp.body)
	}
	want := "User: arn:aws:sts::123456789012:assumed-role/tollgate-GatewayFunctionRole/gateway is not authorized to perform: sts:AssumeRole on resource: " + tenantARN
	if got.Error.Type != "Sender" || got.Error.Code != "AccessDenied" || got.Error.Message != want || got.ReqID == "" {
		t.Fatalf("error = %+v", got)
	}
}

func TestTransitiveTags(t *testing.T) {
	h := newHarness(t, "testdata/chain.yaml")
	ctx := context.Background()
	in := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/tollgate-First"), RoleSessionName: aws.String("one"),
		Tags:              []ststypes.Tag{{Key: aws.String("org"), Value: aws.String("org_t")}},
		TransitiveTagKeys: []string{"org"}}
	out, err := sts.NewFromConfig(h.operator()).AssumeRole(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	first := h.cfg(aws.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken})

	second, err := h.assume(first, "arn:aws:iam::123456789012:role/tollgate-Second", "two", nil)
	if err != nil {
		t.Fatalf("chained assume: %v", err)
	}
	sess, _ := h.enf.sessions.get(second.AccessKeyID)
	if sess.tags["org"] != "org_t" {
		t.Fatalf("transitive tag lost: %v", sess.tags)
	}
	if _, err := h.assume(first, "arn:aws:iam::123456789012:role/tollgate-Second", "three", map[string]string{"org": "org_u"}); errCode(t, err) != "ValidationError" {
		t.Fatalf("override of a transitive tag: %v", err)
	}
	// Second allows 2-hour sessions, but not to a role session (chaining).
	_, err = sts.NewFromConfig(first).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/tollgate-Second"),
		RoleSessionName: aws.String("four"), DurationSeconds: aws.Int32(7200)})
	if errCode(t, err) != "ValidationError" || !strings.Contains(errMessage(err), "role chaining") {
		t.Fatalf("chained two-hour session: %v", err)
	}
	if _, err := sts.NewFromConfig(h.operator()).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/tollgate-Second"),
		RoleSessionName: aws.String("five"), DurationSeconds: aws.Int32(7200)}); err != nil {
		t.Fatalf("operator two-hour session: %v", err)
	}
}

func TestParseTagsAndLists(t *testing.T) {
	form := url.Values{
		"Tags.member.2.Key": {"b"}, "Tags.member.2.Value": {"2"},
		"Tags.member.1.Key": {"a"}, "Tags.member.1.Value": {"1"},
		"Tags.member.10.Key": {"c"}, "Tags.member.10.Value": {""},
		"TransitiveTagKeys.member.1": {"a"},
	}
	tags := parseTags(form)
	if len(tags) != 3 || tags[0] != (sessionTag{"a", "1"}) || tags[1] != (sessionTag{"b", "2"}) || tags[2] != (sessionTag{"c", ""}) {
		t.Fatalf("tags = %v", tags)
	}
	if l := listParam(form, "TransitiveTagKeys"); len(l) != 1 || l[0] != "a" {
		t.Fatalf("transitive = %v", l)
	}
	tests := []struct {
		name       string
		tags       []sessionTag
		transitive []string
		want       string
	}{
		{"ok", []sessionTag{{"org", "org_a"}, {"team", "Blue Team @ x/y=z+1:2.3_4-5"}}, nil, ""},
		{"unicode letters", []sessionTag{{"équipe", "bleu"}}, nil, ""},
		{"empty value is allowed", []sessionTag{{"org", ""}}, nil, ""},
		{"hash", []sessionTag{{"org", "a#b"}}, nil, "regular expression"},
		{"star", []sessionTag{{"org", "a*"}}, nil, "regular expression"},
		{"empty key", []sessionTag{{"", "x"}}, nil, "greater than or equal to 1"},
		{"duplicate keys ignoring case", []sessionTag{{"Org", "a"}, {"org", "b"}}, nil, "Duplicate"},
		{"transitive key not a tag", []sessionTag{{"org", "a"}}, []string{"team"}, "transitive"},
		{"256 runes of value", []sessionTag{{"k", strings.Repeat("é", 256)}}, nil, ""},
		{"257 runes of value", []sessionTag{{"k", strings.Repeat("é", 257)}}, nil, "256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := validateTags(tc.tags, tc.transitive)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error %q", err.message)
			case tc.want != "" && (err == nil || !strings.Contains(err.message, tc.want)):
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
