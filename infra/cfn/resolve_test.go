package cfn

import (
	"reflect"
	"strings"
	"testing"
)

func fixtureEnv() Env {
	return Env{
		StackName: "tg",
		Region:    "eu-west-1",
		AccountID: "123456789012",
		Physical: map[string]Physical{
			"Table": {Ref: "tg-table", Attrs: map[string]string{"Arn": "arn:aws:dynamodb:eu-west-1:123456789012:table/tg-table"}},
			"Queue": {Ref: "http://localhost:4566/123456789012/tg-eval", Attrs: map[string]string{
				"Arn": "arn:aws:sqs:eu-west-1:123456789012:tg-eval", "QueueName": "tg-eval"}},
		},
	}
}

func loadFixture(t *testing.T) *Template {
	t.Helper()
	tmpl, err := Load("testdata/intrinsics.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestResolveOutputs(t *testing.T) {
	tmpl := loadFixture(t)
	env := fixtureEnv()
	tests := []struct {
		output string
		want   any
	}{
		{"RefParam", "v1"},
		{"RefNumber", "30"},
		{"RefList", []any{"a", "b", "c"}},
		{"RefResource", "tg-table"},
		{"StackName", "tg"},
		{"Region", "eu-west-1"},
		{"Account", "123456789012"},
		{"Partition", "aws"},
		{"URLSuffix", "amazonaws.com"},
		{"StackId", "arn:aws:cloudformation:eu-west-1:123456789012:stack/tg/local"},
		{"GetAttShort", "arn:aws:dynamodb:eu-west-1:123456789012:table/tg-table"},
		{"GetAttList", "tg-eval"},
		{"GetAttLong", "arn:aws:dynamodb:eu-west-1:123456789012:table/tg-table"},
		{"SubPseudo", "arn:aws:iam::123456789012:role/tg-tenant"},
		{"SubGetAtt", "arn:aws:dynamodb:eu-west-1:123456789012:table/tg-table/index/*"},
		{"SubRef", "tg-table-v1"},
		{"SubEscape", "${aws:username} v1"},
		{"SubVars", "v1/literal"},
		{"SubLong", "q-tg-eval"},
		{"PlainPolicyVariable", "ORG#${aws:PrincipalTag/org}#*"},
		{"Join", "a:v1:3"},
		{"JoinRefList", "a|b|c"},
		{"Select", "b"},
		{"SelectString", "x"},
		{"Split", []any{"a", "b", "", "c"}},
		{"SelectSplit", "localhost:4566"},
		{"IfTrue", "dev"},
		{"IfFalse", "dev"},
		{"IfAnd", "yes"},
		{"IfOr", "yes"},
		{"NoValueInList", []any{"a", "c"}},
		{"NoValueInMap", map[string]any{"Keep": 1}},
		{"FindInMap", 1024},
		{"Base64", "aGk="},
		{"Scalars", []any{1, 2.5, true, nil}},
		{"Nested", map[string]any{"List": []any{"v1", "xv1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.output, func(t *testing.T) {
			out, ok := tmpl.Outputs[tc.output]
			if !ok {
				t.Fatalf("fixture has no output %s", tc.output)
			}
			got, err := tmpl.Resolve(out.Value, env)
			if err != nil {
				t.Fatalf("resolve: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestResolveParametersAndPartition(t *testing.T) {
	tmpl := loadFixture(t)
	env := fixtureEnv()
	env.Parameters = map[string]string{"Stage": "prod", "NoDefault": "given"}
	env.Partition = "aws-cn"
	tests := []struct {
		value any
		want  any
	}{
		{map[string]any{"Ref": "Stage"}, "prod"},
		{map[string]any{"Ref": "NoDefault"}, "given"},
		{map[string]any{"Fn::If": []any{"IsProd", "p", "d"}}, "p"},
		{map[string]any{"Ref": "AWS::URLSuffix"}, "amazonaws.com.cn"},
		{map[string]any{"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}, "arn:aws-cn:s3:::b"},
		{map[string]any{"Fn::Equals": []any{"a", "a"}}, true},
	}
	for _, tc := range tests {
		got, err := tmpl.Resolve(tc.value, env)
		if err != nil {
			t.Fatalf("%v: %v", tc.value, err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Fatalf("%v: got %#v, want %#v", tc.value, got, tc.want)
		}
	}
	b, err := tmpl.Condition("IsProd", env)
	if err != nil || !b {
		t.Fatalf("IsProd = %v, %v", b, err)
	}
}

func TestResolveErrors(t *testing.T) {
	tmpl := loadFixture(t)
	env := fixtureEnv()
	tests := []struct {
		name  string
		value any
		env   func(Env) Env
		want  string
	}{
		{"unknown ref", map[string]any{"Ref": "Nope"}, nil, "no such parameter or resource"},
		{"resource without physical", map[string]any{"Ref": "UnnamedRole"}, nil, "no physical ID"},
		{"parameter without default", map[string]any{"Ref": "NoDefault"}, nil, "no default"},
		{"unknown attribute", map[string]any{"Fn::GetAtt": []any{"Table", "StreamArn"}}, nil, "not in the environment"},
		{"getatt unknown resource", map[string]any{"Fn::GetAtt": "Nope.Arn"}, nil, "no such resource"},
		{"getatt without dot", map[string]any{"Fn::GetAtt": "Table"}, nil, "want Logical.Attribute"},
		{"sub unknown variable", map[string]any{"Fn::Sub": "${Nope}"}, nil, "no such parameter"},
		{"sub policy variable is an error", map[string]any{"Fn::Sub": "ORG#${aws:PrincipalTag/org}"}, nil, "no such parameter"},
		{"sub unterminated", map[string]any{"Fn::Sub": "a${Stage"}, nil, "unterminated"},
		{"unknown pseudo", map[string]any{"Ref": "AWS::Nope"}, nil, "unknown pseudo parameter"},
		{"missing region", map[string]any{"Ref": "AWS::Region"}, func(e Env) Env { e.Region = ""; return e }, "no region"},
		{"unsupported intrinsic", map[string]any{"Fn::GetAZs": ""}, nil, "not supported"},
		{"select out of range", map[string]any{"Fn::Select": []any{5, []any{"a"}}}, nil, "out of range"},
		{"join of a map", map[string]any{"Fn::Join": []any{",", map[string]any{"a": 1}}}, nil, "list resolved to"},
		{"condition loop", map[string]any{"Fn::If": []any{"Loop", "a", "b"}}, nil, "deeper than"},
		{"undefined condition", map[string]any{"Fn::If": []any{"Nope", "a", "b"}}, nil, "not defined"},
		{"find in missing map", map[string]any{"Fn::FindInMap": []any{"Nope", "a", "b"}}, nil, "no mapping"},
		{"error inside a map names the key", map[string]any{"Outer": map[string]any{"Ref": "Nope"}}, nil, "Outer: Ref Nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := env
			if tc.env != nil {
				e = tc.env(e)
			}
			_, err := tmpl.Resolve(tc.value, e)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseTemplate(t *testing.T) {
	tmpl := loadFixture(t)
	if tmpl.FormatVersion != "2010-09-09" || len(tmpl.Transform) != 1 || tmpl.Transform[0] != "AWS::Serverless-2016-10-31" {
		t.Fatalf("header: %q %v", tmpl.FormatVersion, tmpl.Transform)
	}
	if p := tmpl.Parameters["Retention"]; p.Type != "Number" || p.Default != "30" || !p.HasDefault {
		t.Fatalf("Retention = %+v", p)
	}
	if p := tmpl.Parameters["NoDefault"]; p.HasDefault {
		t.Fatalf("NoDefault = %+v", p)
	}
	if got := tmpl.ResourcesOfType("AWS::IAM::Role"); !reflect.DeepEqual(got, []string{"NamedRole", "UnnamedRole"}) {
		t.Fatalf("roles = %v", got)
	}
	if got := tmpl.Resources["UnnamedRole"].DependsOn; !reflect.DeepEqual(got, []string{"Table"}) {
		t.Fatalf("DependsOn = %v", got)
	}
	if got := tmpl.Resources["Queue"].Properties; got == nil || len(got) != 0 {
		t.Fatalf("Queue properties = %#v", got)
	}
	// Short tags are kept as long-form data until resolved.
	ks := tmpl.Resources["NamedRole"].Properties["RoleName"]
	if !reflect.DeepEqual(ks, map[string]any{"Fn::Sub": "${AWS::StackName}-named"}) {
		t.Fatalf("RoleName raw = %#v", ks)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"bad yaml", "Resources: [", "yaml"},
		{"not a mapping", "- a", "want a mapping"},
		{"no resources", "Outputs: {}", "resources"},
		{"resource without type", "Resources: {A: {Properties: {}}}", "missing Type"},
		{"getatt without dot", "Resources: {A: {Type: X, Properties: {P: !GetAtt Nodot}}}", "want Logical.Attribute"},
		{"properties not a mapping", "Resources: {A: {Type: X, Properties: [1]}}", "properties"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := Load("testdata/does-not-exist.yaml"); err == nil {
		t.Fatal("Load of a missing file succeeded")
	}
}

func TestJSONTemplate(t *testing.T) {
	tmpl, err := Parse([]byte(`{"Resources":{"T":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":{"Fn::Join":["-",[{"Ref":"AWS::StackName"},"q"]]}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Resolve(tmpl.Resources["T"].Properties["QueueName"], Env{StackName: "s"})
	if err != nil || got != "s-q" {
		t.Fatalf("got %v, %v", got, err)
	}
}
