package iampolicy

import (
	"strings"
	"testing"
)

// allowIf returns a one-statement Allow policy with the given Condition block.
func allowIf(t *testing.T, version string, cond map[string]any) Policy {
	t.Helper()
	doc := map[string]any{"Statement": map[string]any{
		"Effect": "Allow", "Action": "svc:Do", "Resource": "*", "Condition": cond,
	}}
	if version != "" {
		doc["Version"] = version
	}
	p, err := Parse(doc)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return p
}

func cond(op, key string, values ...any) map[string]any {
	var v any = values
	if len(values) == 1 {
		v = values[0]
	}
	return map[string]any{op: map[string]any{key: v}}
}

func TestConditionOperators(t *testing.T) {
	const k = "svc:Key"
	absent := ctx()
	one := func(v ...string) map[string][]string { return ctx(k, keys(v...)) }

	tests := []struct {
		name    string
		cond    map[string]any
		context map[string][]string
		want    bool
	}{
		// String operators.
		{"StringEquals match", cond("StringEquals", k, "a"), one("a"), true},
		{"StringEquals is case-sensitive", cond("StringEquals", k, "a"), one("A"), false},
		{"StringEquals values are OR", cond("StringEquals", k, "x", "a"), one("a"), true},
		{"StringEquals missing key", cond("StringEquals", k, "a"), absent, false},
		{"StringEquals empty key", cond("StringEquals", k, "a"), ctx(k, keys()), false},
		{"StringEquals wildcard is text", cond("StringEquals", k, "a*"), one("ab"), false},
		{"StringEquals plain op, multivalued key, any match", cond("StringEquals", k, "b"), one("a", "b"), true},
		{"StringNotEquals differs", cond("StringNotEquals", k, "a"), one("b"), true},
		{"StringNotEquals equal", cond("StringNotEquals", k, "a"), one("a"), false},
		{"StringNotEquals against any listed value", cond("StringNotEquals", k, "x", "a"), one("a"), false},
		{"StringNotEquals missing key holds", cond("StringNotEquals", k, "a"), absent, true},
		{"StringEqualsIgnoreCase", cond("StringEqualsIgnoreCase", k, "ABC"), one("abc"), true},
		{"StringEqualsIgnoreCase differs", cond("StringEqualsIgnoreCase", k, "ABC"), one("abd"), false},
		{"StringNotEqualsIgnoreCase", cond("StringNotEqualsIgnoreCase", k, "ABC"), one("abc"), false},
		{"StringLike star", cond("StringLike", k, "ORG#*"), one("ORG#org_a#x"), true},
		{"StringLike star spans anything", cond("StringLike", k, "a*z"), one("a:/#z"), true},
		{"StringLike question", cond("StringLike", k, "org_?"), one("org_a"), true},
		{"StringLike question is one char", cond("StringLike", k, "org_?"), one("org_ab"), false},
		{"StringLike anchored", cond("StringLike", k, "org_*"), one("xorg_a"), false},
		{"StringLike case-sensitive", cond("StringLike", k, "org_*"), one("ORG_a"), false},
		{"StringLike missing key", cond("StringLike", k, "*"), absent, false},
		{"StringNotLike", cond("StringNotLike", k, "org_*"), one("tok_a"), true},
		{"StringNotLike matches", cond("StringNotLike", k, "org_*"), one("org_a"), false},
		{"StringNotLike missing key holds", cond("StringNotLike", k, "org_*"), absent, true},

		// ARN operators: six components, each matched on its own.
		{"ArnEquals exact", cond("ArnEquals", k, "arn:aws:iam::123456789012:role/r"), one("arn:aws:iam::123456789012:role/r"), true},
		{"ArnEquals with wildcard", cond("ArnEquals", k, "arn:aws:iam::*:role/r"), one("arn:aws:iam::123456789012:role/r"), true},
		{"ArnLike resource wildcard", cond("ArnLike", k, "arn:aws:iam::123456789012:role/*"), one("arn:aws:iam::123456789012:role/path/r"), true},
		{"ArnLike star stays in its component", cond("ArnLike", k, "arn:aws:*:role/r"), one("arn:aws:iam::123456789012:role/r"), false},
		{"ArnLike colons in the resource part", cond("ArnLike", k, "arn:aws:logs:*:*:log-group:*"), one("arn:aws:logs:us-east-1:1:log-group:g:x"), true},
		{"ArnLike case-sensitive", cond("ArnLike", k, "arn:aws:iam::*:role/R"), one("arn:aws:iam::1:role/r"), false},
		{"ArnLike not an ARN", cond("ArnLike", k, "arn:aws:iam::*:role/r"), one("role/r"), false},
		{"ArnNotLike", cond("ArnNotLike", k, "arn:aws:iam::*:role/admin"), one("arn:aws:iam::1:role/r"), true},
		{"ArnNotLike matches", cond("ArnNotLike", k, "arn:aws:iam::*:role/*"), one("arn:aws:iam::1:role/r"), false},
		{"ArnNotLike missing key holds", cond("ArnNotLike", k, "arn:aws:iam::*:role/*"), absent, true},

		// Bool, Null, numbers.
		{"Bool true", cond("Bool", k, "true"), one("true"), true},
		{"Bool case-insensitive", cond("Bool", k, true), one("TRUE"), true},
		{"Bool false vs true", cond("Bool", k, "false"), one("true"), false},
		{"Bool missing key", cond("Bool", k, "false"), absent, false},
		{"Null true on absent", cond("Null", k, "true"), absent, true},
		{"Null true on empty", cond("Null", k, "true"), ctx(k, keys()), true},
		{"Null true on present", cond("Null", k, "true"), one("x"), false},
		{"Null false on present", cond("Null", k, "false"), one("x"), true},
		{"Null false on absent", cond("Null", k, "false"), absent, false},
		{"NumericLessThan", cond("NumericLessThan", k, 10), one("9"), true},
		{"NumericLessThan equal", cond("NumericLessThan", k, "10"), one("10"), false},
		{"NumericLessThanEquals equal", cond("NumericLessThanEquals", k, "10"), one("10"), true},
		{"NumericLessThanEquals above", cond("NumericLessThanEquals", k, "10"), one("10.5"), false},
		{"NumericEquals", cond("NumericEquals", k, "3600"), one("3600.0"), true},
		{"NumericNotEquals", cond("NumericNotEquals", k, "3600"), one("900"), true},
		{"NumericGreaterThan", cond("NumericGreaterThan", k, "1"), one("2"), true},
		{"NumericGreaterThanEquals", cond("NumericGreaterThanEquals", k, "2"), one("1"), false},
		{"Numeric not a number", cond("NumericLessThan", k, "10"), one("x"), false},
		{"Numeric missing key", cond("NumericLessThan", k, "10"), absent, false},

		// IfExists.
		{"IfExists absent holds", cond("StringEqualsIfExists", k, "a"), absent, true},
		{"IfExists present must match", cond("StringEqualsIfExists", k, "a"), one("b"), false},
		{"IfExists present matching", cond("StringEqualsIfExists", k, "a"), one("a"), true},
		{"IfExists on Bool", cond("BoolIfExists", k, "true"), absent, true},
		{"IfExists on numbers", cond("NumericLessThanEqualsIfExists", k, "3600"), one("7200"), false},
		{"IfExists on ArnLike", cond("ArnLikeIfExists", k, "arn:aws:iam::*:role/r"), absent, true},

		// Set operators.
		{"ForAllValues absent is vacuously true", cond("ForAllValues:StringEquals", k, "a"), absent, true},
		{"ForAllValues empty is vacuously true", cond("ForAllValues:StringEquals", k, "a"), ctx(k, keys()), true},
		{"ForAllValues subset", cond("ForAllValues:StringEquals", k, "a", "b", "c"), one("a", "c"), true},
		{"ForAllValues one outside", cond("ForAllValues:StringEquals", k, "a", "b"), one("a", "z"), false},
		{"ForAllValues StringLike", cond("ForAllValues:StringLike", k, "x#*"), one("x#1", "x#2"), true},
		{"ForAllValues StringNotEquals all outside", cond("ForAllValues:StringNotEquals", k, "admin"), one("a", "b"), true},
		{"ForAllValues StringNotEquals one inside", cond("ForAllValues:StringNotEquals", k, "admin"), one("a", "admin"), false},
		{"ForAnyValue absent is false", cond("ForAnyValue:StringEquals", k, "a"), absent, false},
		{"ForAnyValue empty is false", cond("ForAnyValue:StringEquals", k, "a"), ctx(k, keys()), false},
		{"ForAnyValue one matches", cond("ForAnyValue:StringEquals", k, "a"), one("z", "a"), true},
		{"ForAnyValue none matches", cond("ForAnyValue:StringEquals", k, "a"), one("y", "z"), false},
		{"ForAnyValue StringNotLike some outside", cond("ForAnyValue:StringNotLike", k, "org_*"), one("org_a", "tok_a"), true},
		{"ForAnyValue IfExists absent holds", cond("ForAnyValue:StringEqualsIfExists", k, "a"), absent, true},
		{"ForAllValues IfExists absent holds", cond("ForAllValues:StringLikeIfExists", k, "a"), absent, true},
		{"ForAllValues IfExists present", cond("ForAllValues:StringLikeIfExists", k, "a*"), one("ab", "b"), false},

		// AND across keys and operators.
		{"two keys both hold", map[string]any{"StringEquals": map[string]any{"a:x": "1", "a:y": "2"}}, ctx("a:x", keys("1"), "a:y", keys("2")), true},
		{"two keys one fails", map[string]any{"StringEquals": map[string]any{"a:x": "1", "a:y": "2"}}, ctx("a:x", keys("1"), "a:y", keys("3")), false},
		{"two operators both hold", map[string]any{"StringEquals": map[string]any{"a:x": "1"}, "Null": map[string]any{"a:y": "false"}}, ctx("a:x", keys("1"), "a:y", keys("z")), true},
		{"two operators one fails", map[string]any{"StringEquals": map[string]any{"a:x": "1"}, "Null": map[string]any{"a:y": "false"}}, ctx("a:x", keys("1")), false},
		{"ForAllValues with Null false rejects the vacuous case", map[string]any{
			"ForAllValues:StringEquals": map[string]any{k: "a"}, "Null": map[string]any{k: "false"}}, absent, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := allowIf(t, VersionCurrent, tc.cond)
			d := Evaluate([]Policy{p}, Request{Action: "svc:Do", Resource: "r", Context: tc.context})
			if d.Allowed() != tc.want {
				t.Fatalf("allowed = %v, want %v", d.Allowed(), tc.want)
			}
		})
	}
}

func TestPolicyVariables(t *testing.T) {
	const k = "svc:Key"
	tag := "aws:PrincipalTag/team"
	tests := []struct {
		name    string
		version string
		cond    map[string]any
		context map[string][]string
		want    bool
	}{
		{"substituted", VersionCurrent, cond("StringEquals", k, "t/${aws:PrincipalTag/team}"), ctx(tag, keys("red"), k, keys("t/red")), true},
		{"substituted, other value", VersionCurrent, cond("StringEquals", k, "t/${aws:PrincipalTag/team}"), ctx(tag, keys("red"), k, keys("t/blue")), false},
		{"variable name is case-insensitive", VersionCurrent, cond("StringEquals", k, "${AWS:principaltag/TEAM}"), ctx(tag, keys("red"), k, keys("red")), true},
		{"missing variable never matches", VersionCurrent, cond("StringLike", k, "t/${aws:PrincipalTag/team}*"), ctx(k, keys("t/")), false},
		{"missing variable with another value listed", VersionCurrent, cond("StringEquals", k, "${aws:PrincipalTag/team}", "fallback"), ctx(k, keys("fallback")), true},
		{"missing variable under a negated operator", VersionCurrent, cond("StringNotEquals", k, "${aws:PrincipalTag/team}"), ctx(k, keys("x")), false},
		{"missing variable under a negated operator, key absent", VersionCurrent, cond("StringNotLike", k, "${aws:PrincipalTag/team}*"), ctx(), false},
		{"resolved variable under a negated operator", VersionCurrent, cond("StringNotEquals", k, "${aws:PrincipalTag/team}"), ctx(tag, keys("red"), k, keys("blue")), true},
		{"multivalued variable is not substituted", VersionCurrent, cond("StringEquals", k, "${aws:TagKeys}"), ctx("aws:TagKeys", keys("a", "b"), k, keys("a")), false},
		{"default value used", VersionCurrent, cond("StringEquals", k, "${aws:PrincipalTag/team, 'none'}"), ctx(k, keys("none")), true},
		{"default value ignored when present", VersionCurrent, cond("StringEquals", k, "${aws:PrincipalTag/team, 'none'}"), ctx(tag, keys("red"), k, keys("none")), false},
		{"escape star is literal in StringLike", VersionCurrent, cond("StringLike", k, "a${*}"), ctx(k, keys("a*")), true},
		{"escape star does not wildcard", VersionCurrent, cond("StringLike", k, "a${*}"), ctx(k, keys("ab")), false},
		{"escape question", VersionCurrent, cond("StringLike", k, "a${?}"), ctx(k, keys("a?")), true},
		{"escape question does not wildcard", VersionCurrent, cond("StringLike", k, "a${?}"), ctx(k, keys("ab")), false},
		{"escape dollar", VersionCurrent, cond("StringEquals", k, "${$}{x}"), ctx(k, keys("${x}")), true},
		{"substituted value is literal", VersionCurrent, cond("StringLike", k, "${aws:PrincipalTag/team}"), ctx(tag, keys("r*"), k, keys("red")), false},
		{"old version: no substitution", "2008-10-17", cond("StringEquals", k, "${aws:PrincipalTag/team}"), ctx(tag, keys("red"), k, keys("${aws:PrincipalTag/team}")), true},
		{"no version: no substitution", "", cond("StringEquals", k, "${aws:PrincipalTag/team}"), ctx(tag, keys("red"), k, keys("red")), false},
		{"ArnLike substitutes", VersionCurrent, cond("ArnLike", k, "arn:aws:iam::*:role/${aws:PrincipalTag/team}"), ctx(tag, keys("red"), k, keys("arn:aws:iam::1:role/red")), true},
		{"numeric does not substitute", VersionCurrent, cond("NumericEquals", k, "${aws:PrincipalTag/team}"), ctx(tag, keys("5"), k, keys("5")), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := allowIf(t, tc.version, tc.cond)
			d := Evaluate([]Policy{p}, Request{Action: "svc:Do", Resource: "r", Context: tc.context})
			if d.Allowed() != tc.want {
				t.Fatalf("allowed = %v, want %v", d.Allowed(), tc.want)
			}
		})
	}
}

func TestResourceVariables(t *testing.T) {
	p, err := Parse(map[string]any{"Version": VersionCurrent, "Statement": map[string]any{
		"Effect": "Allow", "Action": "sqs:SendMessage",
		"Resource": "arn:aws:sqs:us-east-1:123456789012:${aws:PrincipalTag/team}-*",
	}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		resource string
		context  map[string][]string
		want     bool
	}{
		{"own queue", "arn:aws:sqs:us-east-1:123456789012:red-jobs", ctx("aws:PrincipalTag/team", keys("red")), true},
		{"other queue", "arn:aws:sqs:us-east-1:123456789012:blue-jobs", ctx("aws:PrincipalTag/team", keys("red")), false},
		{"no tag matches nothing", "arn:aws:sqs:us-east-1:123456789012:-jobs", ctx(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate([]Policy{p}, Request{Action: "sqs:SendMessage", Resource: tc.resource, Context: tc.context})
			if d.Allowed() != tc.want {
				t.Fatalf("allowed = %v, want %v", d.Allowed(), tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		json string
		want string
	}{
		{"not an object", `[]`, "want an object"},
		{"no statement", `{"Version":"2012-10-17"}`, "no Statement"},
		{"unknown policy element", `{"Statement":[],"Foo":1}`, "unknown policy element"},
		{"bad effect", `{"Statement":{"Effect":"allow","Action":"s:a","Resource":"*"}}`, "want Allow or Deny"},
		{"missing effect", `{"Statement":{"Action":"s:a","Resource":"*"}}`, "missing Effect"},
		{"no action", `{"Statement":{"Effect":"Allow","Resource":"*"}}`, "exactly one of Action"},
		{"action and not action", `{"Statement":{"Effect":"Allow","Action":"s:a","NotAction":"s:b","Resource":"*"}}`, "exactly one of Action"},
		{"resource and not resource", `{"Statement":{"Effect":"Allow","Action":"s:a","Resource":"*","NotResource":"x"}}`, "both Resource and NotResource"},
		{"malformed action", `{"Statement":{"Effect":"Allow","Action":"GetItem","Resource":"*"}}`, "not service:action"},
		{"unknown element", `{"Statement":{"Effect":"Allow","Action":"s:a","Resource":"*","Extra":1}}`, "unknown statement element"},
		{"unsupported operator", `{"Statement":{"Effect":"Allow","Action":"s:a","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}}`, "not supported"},
		{"ip operator", `{"Statement":{"Effect":"Allow","Action":"s:a","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`, "not supported"},
		{"null with IfExists", `{"Statement":{"Effect":"Allow","Action":"s:a","Resource":"*","Condition":{"NullIfExists":{"k:k":"true"}}}}`, "Null takes no prefix"},
		{"condition not an object", `{"Statement":{"Effect":"Allow","Action":"s:a","Resource":"*","Condition":"x"}}`, "want an object"},
		{"condition value object", `{"Statement":{"Effect":"Allow","Action":"s:a","Resource":"*","Condition":{"StringEquals":{"k:k":{"a":1}}}}}`, "want a string, number or boolean"},
		{"principal string", `{"Statement":{"Effect":"Allow","Action":"s:a","Principal":"arn:aws:iam::1:root"}}`, "must be \"*\""},
		{"principal type", `{"Statement":{"Effect":"Allow","Action":"s:a","Principal":{"Person":"x"}}}`, "unknown principal type"},
		{"bad json", `{`, "decode policy JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseJSON([]byte(tc.json))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	identity := loadPolicy(t, "tenant_items.json")
	trust := loadPolicy(t, "trust.json")
	if err := identity.ValidateIdentity(); err != nil {
		t.Fatalf("identity policy: %v", err)
	}
	if err := trust.ValidateTrust(); err != nil {
		t.Fatalf("trust policy: %v", err)
	}
	if err := trust.ValidateIdentity(); err == nil {
		t.Fatal("trust policy accepted as identity policy")
	}
	if err := identity.ValidateTrust(); err == nil {
		t.Fatal("identity policy accepted as trust policy")
	}
}

func TestConditionKeysAndFailClosed(t *testing.T) {
	tenant := loadPolicy(t, "tenant_items.json")
	got := strings.Join(tenant.ConditionKeys(), ",")
	if want := "dynamodb:leadingkeys,kms:encryptioncontext:org"; got != want {
		t.Fatalf("ConditionKeys = %q, want %q", got, want)
	}
	stripped := tenant.WithoutAllowsConditionedOn("DynamoDB:LeadingKeys")
	req := Request{Action: "dynamodb:GetItem", Resource: tableARN, Context: ctx("aws:PrincipalTag/org", keys("org_a"))}
	if !Evaluate([]Policy{tenant}, req).Allowed() {
		t.Fatal("vacuous request should be allowed by the full policy")
	}
	if d := Evaluate([]Policy{stripped}, req); d.Outcome != ImplicitDeny {
		t.Fatalf("stripped policy: got %v, want ImplicitDeny", d.Outcome)
	}
	if d := Evaluate([]Policy{stripped}, Request{Action: "dynamodb:Scan", Resource: tableARN}); d.Outcome != ExplicitDeny {
		t.Fatalf("stripped policy must keep its denies: got %v", d.Outcome)
	}
	if len(tenant.Statements) != 3 {
		t.Fatal("WithoutAllowsConditionedOn modified its receiver")
	}
}
