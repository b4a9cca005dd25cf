package cfn

import (
	"strings"
	"testing"
)

func TestRoleNames(t *testing.T) {
	tmpl := loadFixture(t)
	env := fixtureEnv()
	long := env
	long.StackName = strings.Repeat("s", 60)
	tests := []struct {
		name    string
		logical string
		env     Env
		wantN   string
		wantARN string
		wantErr string
	}{
		{"explicit RoleName and Path", "NamedRole", env, "tg-named", "arn:aws:iam::123456789012:role/service/tg-named", ""},
		{"derived name", "UnnamedRole", env, "tg-UnnamedRole", "arn:aws:iam::123456789012:role/tg-UnnamedRole", ""},
		{"derived name cut to 64", "UnnamedRole", long, strings.Repeat("s", 60) + "-Unn", "", ""},
		{"not a role", "Table", env, "", "", "want AWS::IAM::Role"},
		{"no such resource", "Nope", env, "", "", "no such resource"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := RoleName(tmpl, tc.logical, tc.env)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || n != tc.wantN {
				t.Fatalf("RoleName = %q, %v; want %q", n, err, tc.wantN)
			}
			if tc.wantARN == "" {
				return
			}
			arn, err := RoleARN(tmpl, tc.logical, tc.env)
			if err != nil || arn != tc.wantARN {
				t.Fatalf("RoleARN = %q, %v; want %q", arn, err, tc.wantARN)
			}
		})
	}
}

func TestWithIAM(t *testing.T) {
	tmpl := loadFixture(t)
	env := fixtureEnv()
	env.Physical["NamedRole"] = Physical{Ref: "given", Attrs: map[string]string{"Arn": "arn:aws:iam::123456789012:role/given"}}
	out, err := WithIAM(tmpl, env)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Physical["NamedRole"].Ref; got != "given" {
		t.Fatalf("existing physical replaced: %q", got)
	}
	un := out.Physical["UnnamedRole"]
	if un.Ref != "tg-UnnamedRole" || un.Attrs["Arn"] != "arn:aws:iam::123456789012:role/tg-UnnamedRole" {
		t.Fatalf("UnnamedRole = %+v", un)
	}
	if id := un.Attrs["RoleId"]; len(id) != 21 || !strings.HasPrefix(id, "AROA") {
		t.Fatalf("RoleId = %q", id)
	}
	if got := out.Physical["Policy"].Ref; got != "arn:aws:iam::123456789012:policy/tg-Policy" {
		t.Fatalf("managed policy = %q", got)
	}
	if _, ok := env.Physical["UnnamedRole"]; ok {
		t.Fatal("WithIAM modified its input")
	}
	// The result resolves references to the roles.
	arn, err := tmpl.Resolve(map[string]any{"Fn::GetAtt": "UnnamedRole.Arn"}, out)
	if err != nil || arn != un.Attrs["Arn"] {
		t.Fatalf("GetAtt = %v, %v", arn, err)
	}
	noAccount := env
	noAccount.AccountID = ""
	if _, err := WithIAM(tmpl, noAccount); err == nil {
		t.Fatal("WithIAM without an account succeeded")
	}
}
