package secrets_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/secrets"
)

const purpose = "provider-key"

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	e := newEnvelope()
	s := newOrg(t)
	for _, plain := range [][]byte{{}, []byte("sk-proj-abc"), bytes.Repeat([]byte{0xff}, 64<<10)} {
		v, err := e.Seal(ctx, s, purpose, "key_1", plain)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(v, "v1.dk_") {
			t.Fatalf("sealed value lacks version prefix: %.20s", v)
		}
		got, err := newEnvelope().Open(ctx, s, purpose, "key_1", v) // cold cache: unwraps through KMS
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatal("round trip changed the secret")
		}
	}
}

func TestSealRefusesOversize(t *testing.T) {
	_, err := newEnvelope().Seal(context.Background(), newOrg(t), purpose, "r", make([]byte, secrets.MaxPlaintext+1))
	if apperr.KindOf(err) != apperr.TooLarge {
		t.Fatalf("got %v", err)
	}
}

func TestTamperAndMisuseAreDetected(t *testing.T) {
	ctx := context.Background()
	e := newEnvelope()
	s := newOrg(t)
	v, err := e.Seal(ctx, s, purpose, "key_1", []byte("sk-ant-api03-secret"))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(v, ".", 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		p := append([]byte(nil), payload...)
		p[i] ^= 1
		return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(p)
	}
	other, err := e.Seal(ctx, s, purpose, "key_2", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, purpose, record, value string
	}{
		{"nonce flipped", purpose, "key_1", flip(0)},
		{"ciphertext flipped", purpose, "key_1", flip(14)},
		{"tag flipped", purpose, "key_1", flip(len(payload) - 1)},
		{"truncated", purpose, "key_1", v[:len(v)-4]},
		{"other record", purpose, "key_2", v},
		{"other purpose", "dataset", "key_1", v},
		{"swapped between records", purpose, "key_1", other},
		{"unknown version", purpose, "key_1", "v2" + v[2:]},
		{"no version", purpose, "key_1", parts[2]},
		{"bad key id", purpose, "key_1", "v1.dk_nope." + parts[2]},
		{"unknown key id", purpose, "key_1", "v1.dk_00000000000000000000." + parts[2]},
		{"not base64", purpose, "key_1", parts[0] + "." + parts[1] + ".!!!"},
		{"empty", purpose, "key_1", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.Open(ctx, s, c.purpose, c.record, c.value)
			if !errors.Is(err, secrets.ErrUnreadable) {
				t.Fatalf("got %v, want ErrUnreadable", err)
			}
			if strings.Contains(apperr.As(err).Message, "sk-ant") {
				t.Fatal("error message leaks plaintext")
			}
		})
	}
}

func TestWrongOrgCannotOpen(t *testing.T) {
	ctx := context.Background()
	e := newEnvelope()
	a, b := newOrg(t), newOrg(t)
	v, err := e.Seal(ctx, a, purpose, "key_1", []byte("org A's key"))
	if err != nil {
		t.Fatal(err)
	}
	// Org B's session cannot read org A's data key, cached or not.
	if _, err := e.Open(ctx, b, purpose, "key_1", v); !errors.Is(err, secrets.ErrUnreadable) {
		t.Fatalf("org B opened org A's secret: %v", err)
	}
	// Even with org A's wrapped data key copied into org B's partition (as a
	// write bug or a restored backup might), KMS refuses to unwrap it for B.
	keyID, err := secrets.KeyID(v)
	if err != nil {
		t.Fatal(err)
	}
	direct := dynamodb.NewFromConfig(stack.DirectDynamoDBConfig())
	item, err := direct.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(stack.TableName),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "ORG#" + a.Org}, "sk": &types.AttributeValueMemberS{Value: "DATAKEY#" + keyID}}})
	if err != nil || item.Item == nil {
		t.Fatalf("read A's wrapped key: %v", err)
	}
	item.Item["pk"] = &types.AttributeValueMemberS{Value: "ORG#" + b.Org}
	if _, err := direct.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(stack.TableName), Item: item.Item}); err != nil {
		t.Fatal(err)
	}
	if _, err := newEnvelope().Open(ctx, b, purpose, "key_1", v); !errors.Is(err, secrets.ErrUnreadable) {
		t.Fatalf("swapped data key opened another org's secret: %v", err)
	}
	// And B's session may not ask KMS to unwrap under A's context at all.
	wrapped := item.Item["wrapped"].(*types.AttributeValueMemberB).Value
	_, err = b.KMS.Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(stack.KeyARN), CiphertextBlob: wrapped,
		EncryptionContext: map[string]string{"org": a.Org, "purpose": "org-data-key"}})
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("org B unwrapped under org A's context: %v", err)
	}
}

func TestRotationKeepsOldRecordsReadable(t *testing.T) {
	ctx := context.Background()
	e := newEnvelope()
	s := newOrg(t)
	old, err := e.Seal(ctx, s, purpose, "r1", []byte("before rotation"))
	if err != nil {
		t.Fatal(err)
	}
	newID, err := e.Rotate(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := e.Seal(ctx, s, purpose, "r2", []byte("after rotation"))
	if err != nil {
		t.Fatal(err)
	}
	oldID, _ := secrets.KeyID(old)
	freshID, _ := secrets.KeyID(fresh)
	if oldID == freshID || freshID != newID {
		t.Fatalf("rotation did not switch keys: old=%s fresh=%s new=%s", oldID, freshID, newID)
	}
	cold := newEnvelope()
	for v, want := range map[string]string{old: "before rotation", fresh: "after rotation"} {
		got, err := cold.Open(ctx, s, purpose, map[string]string{old: "r1", fresh: "r2"}[v], v)
		if err != nil || string(got) != want {
			t.Fatalf("after rotation: got %q, %v", got, err)
		}
	}
	// A cold instance seals with the rotated key too.
	v, err := cold.Seal(ctx, s, purpose, "r3", []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := secrets.KeyID(v); k != newID {
		t.Fatalf("cold instance sealed with %s, want current %s", k, newID)
	}
}

func TestConcurrentFirstSealAgreesOnOneKey(t *testing.T) {
	ctx := context.Background()
	s := newOrg(t)
	var wg sync.WaitGroup
	sealed := make([]string, 12)
	errs := make([]error, 12)
	for i := range sealed {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sealed[i], errs[i] = newEnvelope().Seal(ctx, s, purpose, "r", []byte("p"))
		}()
	}
	wg.Wait()
	for i, v := range sealed {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if _, err := newEnvelope().Open(ctx, s, purpose, "r", v); err != nil {
			t.Fatalf("secret %d unreadable: %v", i, err)
		}
	}
}

func TestDestroyKeysShredsEverything(t *testing.T) {
	ctx := context.Background()
	e := newEnvelope()
	s := newOrg(t)
	v1, _ := e.Seal(ctx, s, purpose, "r1", []byte("one"))
	if _, err := e.Rotate(ctx, s); err != nil {
		t.Fatal(err)
	}
	v2, _ := e.Seal(ctx, s, purpose, "r2", []byte("two"))
	if err := e.DestroyKeys(ctx, s); err != nil {
		t.Fatal(err)
	}
	for _, env := range []*secrets.Envelope{e, newEnvelope()} {
		for rec, v := range map[string]string{"r1": v1, "r2": v2} {
			if _, err := env.Open(ctx, s, purpose, rec, v); !errors.Is(err, secrets.ErrUnreadable) {
				t.Fatalf("secret readable after shredding: %v", err)
			}
		}
	}
}

func TestKeyStoreOutageIsUnavailable(t *testing.T) {
	s := newOrg(t)
	deadCfg := stack.Config(aws.AnonymousCredentials{})
	deadCfg.BaseEndpoint = aws.String("http://127.0.0.1:1")
	s.DynamoDB = dynamodb.NewFromConfig(deadCfg)
	_, err := newEnvelope().Seal(context.Background(), s, purpose, "r", []byte("x"))
	if apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("got %v, want Unavailable", err)
	}
}

func TestNoPlaintextInTable(t *testing.T) {
	ctx := context.Background()
	e := newEnvelope()
	s := newOrg(t)
	const marker = "sk-proj-PLAINTEXT-MARKER-7f3a"
	v, err := e.Seal(ctx, s, purpose, "r", []byte(marker))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newEnvelope().Open(ctx, s, purpose, "r", v); err != nil {
		t.Fatal(err)
	}
	direct := dynamodb.NewFromConfig(stack.DirectDynamoDBConfig())
	p := dynamodb.NewScanPaginator(direct, &dynamodb.ScanInput{TableName: aws.String(stack.TableName)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			for name, av := range it {
				var raw []byte
				switch x := av.(type) {
				case *types.AttributeValueMemberS:
					raw = []byte(x.Value)
				case *types.AttributeValueMemberB:
					raw = x.Value
				}
				if bytes.Contains(raw, []byte(marker)) {
					t.Fatalf("plaintext found in attribute %s", name)
				}
			}
		}
	}
}
