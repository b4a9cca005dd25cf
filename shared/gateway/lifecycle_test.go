package gateway_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/auth"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// TestRevokedTokenStopsWithinTheStatedDelay: deleting a token's lookup item
// (what revocation does) refuses it on a warm gateway within the
// revocation delay (1 s in this test's gateway, 10 s by default).
func TestRevokedTokenStopsWithinTheStatedDelay(t *testing.T) {
	e := newEnv(t)
	ok := `{"model":"mock/mock-tiny","messages":[{"role":"user","content":"hi"}]}`
	resp := e.post(ok)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	op := dynamodb.NewFromConfig(stack.OperatorConfig())
	_, err := op.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(stack.TableName),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: auth.LookupPK(auth.Hash(e.token))},
			"sk": &types.AttributeValueMemberS{Value: auth.LookupSK},
		}})
	must(t, err)
	revoked := time.Now()
	for {
		resp := e.post(ok)
		resp.Body.Close()
		if resp.StatusCode == 401 {
			break
		}
		if time.Since(revoked) > 1500*time.Millisecond {
			t.Fatalf("revoked token still accepted after %v", time.Since(revoked))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRejectedProviderKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sealed, err := secrets.New(secrets.Config{Table: stack.TableName, KMSKeyARN: stack.KeyARN}).Seal(ctx,
		secrets.Scope{Org: e.org, DynamoDB: e.scoped.DynamoDB, KMS: e.scoped.KMS},
		workspace.PurposeProviderKey, workspace.KeyRecord(e.ws, "loop"), []byte("sk-proj-WRONGKEYa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2"))
	must(t, err)
	must(t, e.store.PutConnection(ctx, e.scoped.DynamoDB, e.org, e.ws, workspace.Connection{
		Name: "loop", Kind: workspace.KindOpenAI, BaseURL: upstream.URL + "/v1", SealedKey: sealed}))
	resp := e.post(`{"model":"loop/mock-small","messages":[{"role":"user","content":"hi"}]}`)
	got := decodeErr(t, resp)
	if resp.StatusCode != 502 || got.Error.Code != "provider_key_rejected" {
		t.Fatalf("status %d code %q", resp.StatusCode, got.Error.Code)
	}
	if strings.Contains(got.Error.Message, "WRONGKEY") || strings.Contains(got.Error.Message, upstreamKey) {
		t.Fatal("key in error message")
	}
}

// TestClientDisconnectMidStream: the client goes away after the first chunk.
// The upstream call is cancelled, and what was used is still billed.
func TestClientDisconnectMidStream(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+"/v1/chat/completions",
		strings.NewReader(`{"model":"loop/mock-small","stream":true,"max_tokens":400,"messages":[{"role":"user","content":"write a very long essay"}]}`))
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "data: ") {
		t.Fatalf("first chunk: %q %v", line, err)
	}
	cancel()
	resp.Body.Close()
	// Settlement happens after the handler notices; wait for it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		sp := e.spend()
		if sp.Reserved == 0 && sp.Spent > 0 {
			if sp.Spent >= worstCase(t, `{"model":"x","max_tokens":400,"messages":[{"role":"user","content":"write a very long essay"}]}`) {
				t.Fatalf("billed %d: the whole worst case for a stream cut after one chunk", sp.Spent)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("disconnected stream not settled: %+v", sp)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
