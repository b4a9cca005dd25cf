package iampolicy

import (
	"os"
	"path/filepath"
	"testing"
)

const (
	tableARN = "arn:aws:dynamodb:us-east-1:123456789012:table/tollgate"
	indexARN = tableARN + "/index/gsi1"
	keyARN   = "arn:aws:kms:us-east-1:123456789012:key/k1"
)

func loadPolicy(t testing.TB, name string) Policy {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseJSON(data)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	p.Name = name
	return p
}

// ctx builds a request context; a nil slice value means "key present with no
// values" and is kept as such.
func ctx(kv ...any) map[string][]string {
	m := map[string][]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].([]string)
	}
	return m
}

func keys(k ...string) []string { return k }

// TestTenantPolicy exercises the tenant isolation policy of DESIGN §3 the way
// the enforcing endpoint feeds it.
func TestTenantPolicy(t *testing.T) {
	tenant := loadPolicy(t, "tenant_items.json")
	tag := func(org string) []any { return []any{"aws:PrincipalTag/org", keys(org)} }

	tests := []struct {
		name     string
		action   string
		resource string
		context  map[string][]string
		want     Outcome
		wantSid  string
	}{
		{"own org exact key", "dynamodb:GetItem", tableARN,
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys("ORG#org_a"))...), Allow, "OwnOrgItemsOnly"},
		{"own org key with suffix", "dynamodb:PutItem", tableARN,
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys("ORG#org_a#TOKEN#t1"))...), Allow, "OwnOrgItemsOnly"},
		{"batch keys matching the two patterns", "dynamodb:BatchGetItem", tableARN,
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys("ORG#org_a", "ORG#org_a#BUDGET#b1"))...), Allow, "OwnOrgItemsOnly"},
		{"key of another org", "dynamodb:GetItem", tableARN,
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys("ORG#org_b"))...), ImplicitDeny, ""},
		{"one foreign key among own keys", "dynamodb:BatchWriteItem", tableARN,
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys("ORG#org_a#X", "ORG#org_b#X"))...), ImplicitDeny, ""},
		// org_a is a prefix of org_ab. "ORG#org_a#*" cannot match
		// "ORG#org_ab#…" because the '#' right after the org ID must be
		// literal; see TestSeparatorMatters for the policy without it.
		{"org ID that extends ours, bare", "dynamodb:GetItem", tableARN,
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys("ORG#org_ab"))...), ImplicitDeny, ""},
		{"org ID that extends ours, with suffix", "dynamodb:Query", indexARN,
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys("ORG#org_ab#TRACE#1"))...), ImplicitDeny, ""},
		{"index of the table", "dynamodb:Query", indexARN,
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys("ORG#org_a#DAY#2024-01-01"))...), Allow, "OwnOrgItemsOnly"},
		{"another table", "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/other",
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys("ORG#org_a"))...), ImplicitDeny, ""},
		{"missing org tag denies any key", "dynamodb:GetItem", tableARN,
			ctx("dynamodb:LeadingKeys", keys("ORG#org_a")), ImplicitDeny, ""},
		{"missing org tag does not match a literal ORG# key", "dynamodb:GetItem", tableARN,
			ctx("dynamodb:LeadingKeys", keys("ORG#")), ImplicitDeny, ""},
		{"tag value is literal, never a wildcard", "dynamodb:GetItem", tableARN,
			ctx(append(tag("*"), "dynamodb:LeadingKeys", keys("ORG#org_b"))...), ImplicitDeny, ""},
		{"partition keys compare case-sensitively", "dynamodb:GetItem", tableARN,
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys("org#org_a"))...), ImplicitDeny, ""},
		{"actions compare case-insensitively", "DynamoDB:getitem", tableARN,
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys("ORG#org_a"))...), Allow, "OwnOrgItemsOnly"},
		{"condition key names are case-insensitive", "dynamodb:GetItem", tableARN,
			ctx("AWS:PRINCIPALTAG/ORG", keys("org_a"), "DynamoDB:leadingkeys", keys("ORG#org_a")), Allow, "OwnOrgItemsOnly"},
		// ForAllValues holds vacuously with no keys: why the policy lists only
		// item-level actions, which always carry keys.
		{"vacuous: no leading keys at all", "dynamodb:GetItem", tableARN,
			ctx(tag("org_a")...), Allow, "OwnOrgItemsOnly"},
		{"vacuous: empty leading keys", "dynamodb:GetItem", tableARN,
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys())...), Allow, "OwnOrgItemsOnly"},
		{"vacuous even without the tag", "dynamodb:GetItem", tableARN,
			ctx(), Allow, "OwnOrgItemsOnly"},
		{"a keyless action outside the list", "dynamodb:DescribeTable", tableARN,
			ctx(tag("org_a")...), ImplicitDeny, ""},
		{"scan is explicitly denied", "dynamodb:Scan", tableARN,
			ctx(tag("org_a")...), ExplicitDeny, "NoScanNoPartiQL"},
		{"partiql explicitly denied even with own keys", "dynamodb:PartiQLSelect", tableARN,
			ctx(append(tag("org_a"), "dynamodb:LeadingKeys", keys("ORG#org_a"))...), ExplicitDeny, "NoScanNoPartiQL"},
		{"kms with own org context", "kms:Decrypt", keyARN,
			ctx(append(tag("org_a"), "kms:EncryptionContext:org", keys("org_a"))...), Allow, "OwnOrgDataKeyOnly"},
		{"kms with another org's context", "kms:Decrypt", keyARN,
			ctx(append(tag("org_a"), "kms:EncryptionContext:org", keys("org_b"))...), ImplicitDeny, ""},
		{"kms without context", "kms:GenerateDataKey", keyARN,
			ctx(tag("org_a")...), ImplicitDeny, ""},
		{"kms without tag", "kms:Decrypt", keyARN,
			ctx("kms:EncryptionContext:org", keys("org_a")), ImplicitDeny, ""},
		{"kms on another key", "kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/k2",
			ctx(append(tag("org_a"), "kms:EncryptionContext:org", keys("org_a"))...), ImplicitDeny, ""},
		{"kms action outside the list", "kms:Encrypt", keyARN,
			ctx(append(tag("org_a"), "kms:EncryptionContext:org", keys("org_a"))...), ImplicitDeny, ""},
		{"kms decrypt without KeyId is resource *", "kms:Decrypt", "*",
			ctx(append(tag("org_a"), "kms:EncryptionContext:org", keys("org_a"))...), ImplicitDeny, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate([]Policy{tenant}, Request{Action: tc.action, Resource: tc.resource, Context: tc.context})
			if d.Outcome != tc.want || d.Sid != tc.wantSid {
				t.Fatalf("got %v (sid %q), want %v (sid %q)", d.Outcome, d.Sid, tc.want, tc.wantSid)
			}
			if d.Allowed() != (tc.want == Allow) {
				t.Fatalf("Allowed() = %v for %v", d.Allowed(), d.Outcome)
			}
			if tc.want != ImplicitDeny && d.Policy != "tenant_items.json" {
				t.Fatalf("policy = %q", d.Policy)
			}
			if tc.want == ImplicitDeny && d.Statement != -1 {
				t.Fatalf("implicit deny names statement %d", d.Statement)
			}
		})
	}
}

// TestSeparatorMatters shows why the partition key is "ORG#<org>" or
// "ORG#<org>#…" and never "ORG#<org>…": without the '#' after the org ID, the
// org whose ID extends ours would be reachable.
func TestSeparatorMatters(t *testing.T) {
	policy := func(patterns ...string) Policy {
		vals := make([]any, len(patterns))
		for i, p := range patterns {
			vals[i] = p
		}
		p, err := Parse(map[string]any{
			"Version": VersionCurrent,
			"Statement": map[string]any{
				"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*",
				"Condition": map[string]any{"ForAllValues:StringLike": map[string]any{"dynamodb:LeadingKeys": vals}},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	withSep := policy("ORG#${aws:PrincipalTag/org}", "ORG#${aws:PrincipalTag/org}#*")
	noSep := policy("ORG#${aws:PrincipalTag/org}*")

	tests := []struct {
		name   string
		policy Policy
		key    string
		want   Outcome
	}{
		{"with separator: own", withSep, "ORG#org_a#X", Allow},
		{"with separator: longer org bare", withSep, "ORG#org_ab", ImplicitDeny},
		{"with separator: longer org item", withSep, "ORG#org_ab#X", ImplicitDeny},
		{"without separator: own", noSep, "ORG#org_a#X", Allow},
		{"without separator: longer org leaks", noSep, "ORG#org_ab#X", Allow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate([]Policy{tc.policy}, Request{
				Action: "dynamodb:GetItem", Resource: tableARN,
				Context: ctx("aws:PrincipalTag/org", keys("org_a"), "dynamodb:LeadingKeys", keys(tc.key)),
			})
			if d.Outcome != tc.want {
				t.Fatalf("got %v, want %v", d.Outcome, tc.want)
			}
		})
	}
}

func TestExplicitDenyWins(t *testing.T) {
	allowAll, err := Parse(map[string]any{
		"Version":   VersionCurrent,
		"Statement": []any{map[string]any{"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	allowAll.Name = "admin"
	tenant := loadPolicy(t, "tenant_items.json")

	tests := []struct {
		name     string
		policies []Policy
		action   string
		want     Outcome
		wantSid  string
	}{
		{"allow alone", []Policy{allowAll}, "dynamodb:Scan", Allow, "Everything"},
		{"deny in a later policy wins", []Policy{allowAll, tenant}, "dynamodb:Scan", ExplicitDeny, "NoScanNoPartiQL"},
		{"deny in an earlier policy wins", []Policy{tenant, allowAll}, "dynamodb:PartiQLDelete", ExplicitDeny, "NoScanNoPartiQL"},
		{"allow elsewhere fills a gap", []Policy{tenant, allowAll}, "dynamodb:DescribeTable", Allow, "Everything"},
		{"no policies", nil, "dynamodb:GetItem", ImplicitDeny, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(tc.policies, Request{Action: tc.action, Resource: tableARN})
			if d.Outcome != tc.want || d.Sid != tc.wantSid {
				t.Fatalf("got %v/%q, want %v/%q", d.Outcome, d.Sid, tc.want, tc.wantSid)
			}
		})
	}
}

func TestNotActionNotResource(t *testing.T) {
	p, err := Parse(map[string]any{
		"Version": VersionCurrent,
		"Statement": []any{
			map[string]any{"Sid": "AllButDelete", "Effect": "Allow", "NotAction": "dynamodb:Delete*", "Resource": "*"},
			map[string]any{"Sid": "NotOutsideTable", "Effect": "Deny", "Action": "dynamodb:*", "NotResource": []any{tableARN, tableARN + "/index/*"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		action, resource string
		want             Outcome
		wantSid          string
	}{
		{"dynamodb:GetItem", tableARN, Allow, "AllButDelete"},
		{"dynamodb:DeleteItem", tableARN, ImplicitDeny, ""},
		{"dynamodb:deleteitem", tableARN, ImplicitDeny, ""},
		{"dynamodb:GetItem", indexARN, Allow, "AllButDelete"},
		{"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:123456789012:table/other", ExplicitDeny, "NotOutsideTable"},
		{"kms:Decrypt", keyARN, Allow, "AllButDelete"},
	}
	for _, tc := range tests {
		t.Run(tc.action+" "+tc.resource, func(t *testing.T) {
			d := Evaluate([]Policy{p}, Request{Action: tc.action, Resource: tc.resource})
			if d.Outcome != tc.want || d.Sid != tc.wantSid {
				t.Fatalf("got %v/%q, want %v/%q", d.Outcome, d.Sid, tc.want, tc.wantSid)
			}
		})
	}
}

func TestResourceMatching(t *testing.T) {
	tests := []struct {
		pattern, resource string
		want              bool
	}{
		{"*", "arn:aws:s3:::anything", true},
		{tableARN, tableARN, true},
		{tableARN, tableARN + "/index/gsi1", false},
		{tableARN + "/index/*", tableARN + "/index/gsi1", true},
		{tableARN + "/index/*", tableARN, false},
		{"arn:aws:dynamodb:*:*:table/tollgate", tableARN, true},
		{"arn:aws:dynamodb:us-east-?:123456789012:table/tollgate", tableARN, true},
		{"ARN:aws:dynamodb:us-east-1:123456789012:table/tollgate", tableARN, false},
		{"arn:aws:dynamodb:us-east-1:123456789012:table/Tollgate", tableARN, false},
		// A * that ends a segment spans colons; one inside a segment does not.
		{"arn:aws:sqs:*", "arn:aws:sqs:us-east-1:123456789012:q", true},
		{"arn:aws:sqs:us-*1:123456789012:q", "arn:aws:sqs:us-east-1:123456789012:q", true},
		{"arn:aws:sqs:us-*:q", "arn:aws:sqs:us-east-1:123456789012:q", true},
		{"arn:aws:sqs:u*2:q", "arn:aws:sqs:us-east-1:123456789012:q", false},
		{"arn:aws:sqs:us-east-1:123456789012:q?", "arn:aws:sqs:us-east-1:123456789012:q1", true},
		{"arn:aws:sqs:us-east-1:123456789012:q?", "arn:aws:sqs:us-east-1:123456789012:q", false},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+" "+tc.resource, func(t *testing.T) {
			got := anyResource([]string{tc.pattern}, tc.resource, context{}, true)
			if got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEvaluateTrust(t *testing.T) {
	trust := loadPolicy(t, "trust.json")
	gateway := "arn:aws:iam::123456789012:role/tollgate-GatewayFunctionRole"
	other := "arn:aws:iam::123456789012:role/tollgate-ApiFunctionRole"
	tests := []struct {
		name      string
		principal string
		action    string
		context   map[string][]string
		want      Outcome
	}{
		{"gateway with org tag", gateway, "sts:AssumeRole", ctx("aws:RequestTag/org", keys("org_abc")), Allow},
		{"tag session too", gateway, "sts:TagSession", ctx("aws:RequestTag/org", keys("org_abc")), Allow},
		{"tag key case-insensitive", gateway, "sts:AssumeRole", ctx("aws:requesttag/ORG", keys("org_abc")), Allow},
		{"another role", other, "sts:AssumeRole", ctx("aws:RequestTag/org", keys("org_abc")), ImplicitDeny},
		{"no tag", gateway, "sts:AssumeRole", ctx(), ImplicitDeny},
		{"tag not an org ID", gateway, "sts:AssumeRole", ctx("aws:RequestTag/org", keys("tok_abc")), ImplicitDeny},
		{"other action", gateway, "sts:AssumeRoleWithWebIdentity", ctx("aws:RequestTag/org", keys("org_abc")), ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := EvaluateTrust(trust, tc.principal, Request{Action: tc.action, Context: tc.context})
			if d.Outcome != tc.want {
				t.Fatalf("got %v, want %v", d.Outcome, tc.want)
			}
		})
	}
}

func TestPrincipalMatching(t *testing.T) {
	role := "arn:aws:iam::123456789012:role/r"
	tests := []struct {
		name      string
		principal any
		not       bool
		effect    string
		arn       string
		want      Outcome
	}{
		{"star", "*", false, "Allow", role, Allow},
		{"AWS star", map[string]any{"AWS": "*"}, false, "Allow", role, Allow},
		{"exact role", map[string]any{"AWS": role}, false, "Allow", role, Allow},
		{"account root", map[string]any{"AWS": "arn:aws:iam::123456789012:root"}, false, "Allow", role, Allow},
		{"bare account", map[string]any{"AWS": "123456789012"}, false, "Allow", role, Allow},
		{"other account root", map[string]any{"AWS": "arn:aws:iam::999999999999:root"}, false, "Allow", role, ImplicitDeny},
		{"service", map[string]any{"Service": "lambda.amazonaws.com"}, false, "Allow", "lambda.amazonaws.com", Allow},
		{"service is not a role", map[string]any{"Service": "lambda.amazonaws.com"}, false, "Allow", role, ImplicitDeny},
		{"not principal denies everyone else", map[string]any{"AWS": "arn:aws:iam::123456789012:role/admin"}, true, "Deny", role, ExplicitDeny},
		{"not principal spares the named one", map[string]any{"AWS": role}, true, "Deny", role, ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := "Principal"
			if tc.not {
				key = "NotPrincipal"
			}
			p, err := Parse(map[string]any{"Version": VersionCurrent, "Statement": map[string]any{
				"Effect": tc.effect, key: tc.principal, "Action": "sts:AssumeRole",
			}})
			if err != nil {
				t.Fatal(err)
			}
			if err := p.ValidateTrust(); err != nil {
				t.Fatal(err)
			}
			d := EvaluateTrust(p, tc.arn, Request{Action: "sts:AssumeRole"})
			if d.Outcome != tc.want {
				t.Fatalf("got %v, want %v", d.Outcome, tc.want)
			}
		})
	}
}

func BenchmarkEvaluateTenant(b *testing.B) {
	tenant := loadPolicy(b, "tenant_items.json")
	req := Request{Action: "dynamodb:BatchGetItem", Resource: tableARN, Context: ctx(
		"aws:PrincipalTag/org", keys("org_0123456789abcdefghjk"),
		"dynamodb:LeadingKeys", keys("ORG#org_0123456789abcdefghjk", "ORG#org_0123456789abcdefghjk#TRACE#2024-01-01#1", "ORG#org_0123456789abcdefghjk#BUDGET#monthly"),
	)}
	b.ReportAllocs()
	for b.Loop() {
		if !Evaluate([]Policy{tenant}, req).Allowed() {
			b.Fatal("denied")
		}
	}
}
