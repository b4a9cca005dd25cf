package enforcer

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

type kmsCase struct {
	name        string
	call        func(context.Context, *kms.Client) error
	want        string
	conditional bool // refused only because of the encryption context condition
}

func kmsCases() []kmsCase {
	const denied = "AccessDeniedException"
	ec := func(org string) map[string]string { return map[string]string{"org": org, "purpose": "provider-key"} }
	gen := func(keyID string, ctx map[string]string) func(context.Context, *kms.Client) error {
		return func(c context.Context, k *kms.Client) error {
			_, err := k.GenerateDataKey(c, &kms.GenerateDataKeyInput{KeyId: aws.String(keyID), KeySpec: kmstypes.DataKeySpecAes256, EncryptionContext: ctx})
			return err
		}
	}
	dec := func(keyID *string, ctx map[string]string) func(context.Context, *kms.Client) error {
		return func(c context.Context, k *kms.Client) error {
			_, err := k.Decrypt(c, &kms.DecryptInput{KeyId: keyID, CiphertextBlob: []byte("wrapped"), EncryptionContext: ctx})
			return err
		}
	}
	return []kmsCase{
		{"GenerateDataKey own org by ARN", gen(dataKeyARN, ec("org_a")), "", false},
		{"GenerateDataKey own org by key ID", gen(dataKeyID, ec("org_a")), "", false},
		{"GenerateDataKey own org by alias", gen("alias/tollgate-data", ec("org_a")), "", false},
		{"GenerateDataKey own org by alias ARN", gen("arn:aws:kms:us-east-1:123456789012:alias/tollgate-data", ec("org_a")), "", false},
		{"GenerateDataKey other org's context", gen(dataKeyARN, ec("org_b")), denied, true},
		{"GenerateDataKey without context", gen(dataKeyARN, nil), denied, true},
		{"GenerateDataKey on an unknown alias", gen("alias/other", ec("org_a")), denied, false},
		{"GenerateDataKey on another key", gen("1111-2222", ec("org_a")), denied, false},
		{"Decrypt own org", dec(aws.String(dataKeyARN), ec("org_a")), "", false},
		{"Decrypt other org's context", dec(aws.String(dataKeyARN), ec("org_b")), denied, true},
		{"Decrypt without KeyId is evaluated against *", dec(nil, ec("org_a")), denied, false},
		{"Encrypt is not granted", func(c context.Context, k *kms.Client) error {
			_, err := k.Encrypt(c, &kms.EncryptInput{KeyId: aws.String(dataKeyARN), Plaintext: []byte("x"), EncryptionContext: ec("org_a")})
			return err
		}, denied, false},
		{"DescribeKey is not granted", func(c context.Context, k *kms.Client) error {
			_, err := k.DescribeKey(c, &kms.DescribeKeyInput{KeyId: aws.String(dataKeyARN)})
			return err
		}, denied, false},
	}
}

func runKMSCases(t *testing.T, h *harness, k *kms.Client, want func(kmsCase) string) {
	for _, tc := range kmsCases() {
		t.Run(tc.name, func(t *testing.T) {
			before := h.moto.count()
			err := tc.call(context.Background(), k)
			wantCode := want(tc)
			if got := errCode(t, err); got != wantCode {
				t.Fatalf("error code %q (%v), want %q", got, err, wantCode)
			}
			forwarded := h.moto.count() - before
			if (wantCode == "") != (forwarded > 0) {
				t.Fatalf("forwarded %d times with code %q", forwarded, wantCode)
			}
		})
	}
}

func TestKMSEncryptionContext(t *testing.T) {
	h := newHarness(t, projectTmpl)
	runKMSCases(t, h, h.kms(h.tenant("org_a")), func(tc kmsCase) string { return tc.want })
}

func TestKMSRefusalsComeFromThePolicy(t *testing.T) {
	h := newHarness(t, "testdata/template_unconditioned.yaml")
	runKMSCases(t, h, h.kms(h.tenant("org_a")), func(tc kmsCase) string {
		if tc.conditional {
			return ""
		}
		return tc.want
	})
}

func TestKMSWireShape(t *testing.T) {
	h := newHarness(t, projectTmpl)
	creds, _ := h.tenant("org_a").Credentials.Retrieve(context.Background())
	body := []byte(`{"KeyId":"` + dataKeyARN + `","CiphertextBlob":"d3JhcHBlZA==","EncryptionContext":{"org":"org_b"}}`)
	resp := h.signedRequest(creds, "kms", "POST", "/", jsonHeader("TrentService.Decrypt", "1.1"), body, nil)
	if resp.status != 400 || resp.header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Fatalf("status %d, type %q", resp.status, resp.header.Get("Content-Type"))
	}
	var got map[string]string
	if err := json.Unmarshal(resp.body, &got); err != nil {
		t.Fatal(err)
	}
	wantMsg := "User: arn:aws:sts::123456789012:assumed-role/tollgate-tenant/t-org_a is not authorized to perform: kms:Decrypt on resource: " +
		dataKeyARN + " because no identity-based policy allows the kms:Decrypt action"
	if got["__type"] != "AccessDeniedException" || got["message"] != wantMsg {
		t.Fatalf("body = %s", resp.body)
	}
}

func TestKMSChecks(t *testing.T) {
	h := newHarness(t, projectTmpl)
	m := h.enf.model.Load()
	tests := []struct {
		name, op, body string
		want           []check
	}{
		{"re-encrypt needs both keys", "ReEncrypt",
			`{"SourceKeyId":"alias/tollgate-data","DestinationKeyId":"k2","SourceEncryptionContext":{"org":"a"}}`,
			[]check{{action: "kms:ReEncryptFrom", resource: dataKeyARN}, {action: "kms:ReEncryptTo", resource: "arn:aws:kms:us-east-1:123456789012:key/k2"}}},
		{"create alias names alias and key", "CreateAlias", `{"AliasName":"alias/x","TargetKeyId":"` + dataKeyID + `"}`,
			[]check{{action: "kms:CreateAlias", resource: "arn:aws:kms:us-east-1:123456789012:alias/x"}, {action: "kms:CreateAlias", resource: dataKeyARN}}},
		{"list keys is *", "ListKeys", `{}`, []check{{action: "kms:ListKeys", resource: "*"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := kmsChecks(m, tc.op, []byte(tc.body))
			if err != nil {
				t.Fatal(err.message)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d checks, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i].action != tc.want[i].action || got[i].resource != tc.want[i].resource {
					t.Fatalf("check %d = %s on %s, want %s on %s", i, got[i].action, got[i].resource, tc.want[i].action, tc.want[i].resource)
				}
			}
		})
	}
	ch := keyCheck(m, "kms:Decrypt", "alias/tollgate-data", map[string]string{"org": "a", "purpose": "p"}, "SYMMETRIC_DEFAULT")
	if v := ch.context["kms:EncryptionContextKeys"]; len(v) != 2 || v[0] != "org" || v[1] != "purpose" {
		t.Fatalf("EncryptionContextKeys = %v", v)
	}
	if v := ch.context["kms:RequestAlias"]; len(v) != 1 || v[0] != "alias/tollgate-data" {
		t.Fatalf("RequestAlias = %v", v)
	}
	if v := ch.context["kms:EncryptionContext:org"]; len(v) != 1 || v[0] != "a" {
		t.Fatalf("EncryptionContext:org = %v", v)
	}
}
