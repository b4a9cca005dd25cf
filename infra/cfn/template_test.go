package cfn

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/infra/iampolicy"
)

// projectTemplate is the SAM template the project deploys.
const projectTemplate = "../../template.yaml"

// fakeEnv gives every resource of the template a plausible physical identity,
// so every reference in it can be resolved.
func fakeEnv(t *testing.T, tmpl *Template) Env {
	t.Helper()
	env := Env{StackName: "tollgate", Region: "us-east-1", AccountID: "123456789012", Physical: map[string]Physical{}}
	for id, r := range tmpl.Resources {
		arn := fmt.Sprintf("arn:aws:local:us-east-1:123456789012:%s", id)
		ph := Physical{Ref: id, Attrs: map[string]string{"Arn": arn}}
		switch r.Type {
		case "AWS::DynamoDB::Table":
			ph = Physical{Ref: "tollgate-" + id, Attrs: map[string]string{"Arn": "arn:aws:dynamodb:us-east-1:123456789012:table/tollgate-" + id, "StreamArn": "arn:aws:dynamodb:us-east-1:123456789012:table/tollgate-" + id + "/stream/local"}}
		case "AWS::KMS::Key":
			ph = Physical{Ref: "key-" + id, Attrs: map[string]string{"Arn": "arn:aws:kms:us-east-1:123456789012:key/key-" + id, "KeyId": "key-" + id}}
		case "AWS::SQS::Queue":
			ph = Physical{Ref: "http://localhost:4566/123456789012/tollgate-" + id, Attrs: map[string]string{"Arn": "arn:aws:sqs:us-east-1:123456789012:tollgate-" + id, "QueueName": "tollgate-" + id}}
		case TypeRole, TypeManagedPolicy:
			continue // derived by WithIAM
		}
		env.Physical[id] = ph
	}
	env, err := WithIAM(tmpl, env)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// TestProjectTemplatePolicies resolves every IAM policy of template.yaml and
// parses it with the evaluator the enforcing endpoint uses.
func TestProjectTemplatePolicies(t *testing.T) {
	tmpl, err := Load(projectTemplate)
	if err != nil {
		t.Fatal(err)
	}
	env := fakeEnv(t, tmpl)
	roles := tmpl.ResourcesOfType(TypeRole)
	if len(roles) == 0 {
		t.Fatal("template has no IAM roles")
	}
	for _, id := range roles {
		props := tmpl.Resources[id].Properties
		t.Run(id, func(t *testing.T) {
			trust, err := tmpl.Resolve(props["AssumeRolePolicyDocument"], env)
			if err != nil {
				t.Fatalf("trust policy: %v", err)
			}
			tp, err := iampolicy.Parse(trust)
			if err != nil {
				t.Fatalf("trust policy: %v", err)
			}
			if err := tp.ValidateTrust(); err != nil {
				t.Fatalf("trust policy: %v", err)
			}
			policies, err := tmpl.Resolve(props["Policies"], env)
			if err != nil {
				t.Fatalf("policies: %v", err)
			}
			list, _ := policies.([]any)
			for _, p := range list {
				m := p.(map[string]any)
				ip, err := iampolicy.Parse(m["PolicyDocument"])
				if err != nil {
					t.Fatalf("policy %v: %v", m["PolicyName"], err)
				}
				if err := ip.ValidateIdentity(); err != nil {
					t.Fatalf("policy %v: %v", m["PolicyName"], err)
				}
			}
			if _, err := tmpl.Resolve(props["ManagedPolicyArns"], env); err != nil {
				t.Fatalf("managed policies: %v", err)
			}
		})
	}
	for _, id := range tmpl.ResourcesOfType("AWS::IAM::Policy") {
		if _, err := tmpl.Resolve(tmpl.Resources[id].Properties, env); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
}

// TestTenantRoleAsWritten checks that resolution leaves the tenant policy's
// conditions exactly as DESIGN §3 writes them.
func TestTenantRoleAsWritten(t *testing.T) {
	tmpl, err := Load(projectTemplate)
	if err != nil {
		t.Fatal(err)
	}
	env := fakeEnv(t, tmpl)
	role, ok := tmpl.Resources["TenantRole"]
	if !ok {
		t.Fatal("template has no TenantRole")
	}
	name, err := RoleName(tmpl, "TenantRole", env)
	if err != nil || name != "tollgate-tenant" {
		t.Fatalf("RoleName = %q, %v", name, err)
	}
	v, err := tmpl.Resolve(role.Properties["Policies"], env)
	if err != nil {
		t.Fatal(err)
	}
	doc := v.([]any)[0].(map[string]any)["PolicyDocument"]
	p, err := iampolicy.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	bySid := map[string]iampolicy.Statement{}
	for _, st := range p.Statements {
		bySid[st.Sid] = st
	}

	items := bySid["OwnOrgItemsOnly"]
	tableARN := env.Physical["Table"].Attrs["Arn"]
	if want := []string{tableARN, tableARN + "/index/*"}; !reflect.DeepEqual(items.Resource, want) {
		t.Fatalf("items resource = %v, want %v", items.Resource, want)
	}
	if len(items.Conditions) != 1 {
		t.Fatalf("items conditions = %+v", items.Conditions)
	}
	c := items.Conditions[0]
	if c.Operator != "ForAllValues:StringLike" || c.Key != "dynamodb:LeadingKeys" ||
		!reflect.DeepEqual(c.Values, []string{"ORG#${aws:PrincipalTag/org}", "ORG#${aws:PrincipalTag/org}#*"}) {
		t.Fatalf("items condition = %+v", c)
	}

	deny := bySid["NoScanNoPartiQL"]
	if deny.Effect != iampolicy.EffectDeny || !reflect.DeepEqual(deny.Resource, []string{"*"}) {
		t.Fatalf("deny statement = %+v", deny)
	}

	kms := bySid["OwnOrgDataKeyOnly"]
	if want := []string{env.Physical["DataKey"].Attrs["Arn"]}; !reflect.DeepEqual(kms.Resource, want) {
		t.Fatalf("kms resource = %v, want %v", kms.Resource, want)
	}
	if len(kms.Conditions) != 1 || kms.Conditions[0].Operator != "StringEquals" ||
		kms.Conditions[0].Key != "kms:EncryptionContext:org" ||
		!reflect.DeepEqual(kms.Conditions[0].Values, []string{"${aws:PrincipalTag/org}"}) {
		t.Fatalf("kms condition = %+v", kms.Conditions)
	}

	trust, err := tmpl.Resolve(role.Properties["AssumeRolePolicyDocument"], env)
	if err != nil {
		t.Fatal(err)
	}
	tp, err := iampolicy.Parse(trust)
	if err != nil {
		t.Fatal(err)
	}
	// Exactly the functions' own roles may become an org, and nothing else.
	var functionRoles []string
	for _, id := range tmpl.ResourcesOfType("AWS::IAM::Role") {
		if strings.HasSuffix(id, "FunctionRole") {
			functionRoles = append(functionRoles, env.Physical[id].Attrs["Arn"])
		}
	}
	got := append([]string(nil), tp.Statements[0].Principal.AWS...)
	sort.Strings(got)
	sort.Strings(functionRoles)
	if !reflect.DeepEqual(got, functionRoles) {
		t.Fatalf("trust principal = %v, want the function roles %v", got, functionRoles)
	}
	gateway := env.Physical["GatewayFunctionRole"].Attrs["Arn"]
	if gateway != "arn:aws:iam::123456789012:role/tollgate-GatewayFunctionRole" {
		t.Fatalf("gateway role ARN = %q", gateway)
	}
}
