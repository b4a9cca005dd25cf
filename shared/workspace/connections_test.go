package workspace_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

func TestConnectionsListNeverShowsSecrets(t *testing.T) {
	f := newFixture(t)
	const planted = "PLANTED-SEALED-VALUE"
	conns := []workspace.Connection{
		{Name: "bedrock-prod", Kind: workspace.KindBedrock, Region: "us-east-1", AccessKeyID: "AKIA" + planted,
			SealedAWSSecret: "aws-" + planted, Last4: "WXYZ", Fingerprint: workspace.KeyFingerprint([]byte("aws secret"))},
		{Name: "openai", Kind: workspace.KindOpenAI, BaseURL: "https://api.openai.com/v1", SealedKey: "key-" + planted,
			Last4: workspace.KeyLast4("sk-proj-abcdefghijklmnop1234"), Fingerprint: workspace.KeyFingerprint([]byte("sk-proj-abcdefghijklmnop1234"))},
	}
	for _, c := range conns {
		if err := f.st.PutConnection(f.ctx, f.sc.DynamoDB, f.org, f.ws, c); err != nil {
			t.Fatal(err)
		}
	}
	list, err := f.st.ListConnections(f.ctx, f.sc.DynamoDB, f.org, f.ws)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	want := workspace.ConnectionInfo{Name: "openai", Kind: workspace.KindOpenAI, BaseURL: "https://api.openai.com/v1",
		Last4: "1234", Fingerprint: conns[1].Fingerprint}
	if list[0].Name != "bedrock-prod" || list[0].Region != "us-east-1" || list[1] != want {
		t.Fatalf("list: %+v", list)
	}
	js, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), planted) {
		t.Fatalf("a sealed value or key id reached the listing: %s", js)
	}

	if err := f.st.DeleteConnection(f.ctx, f.sc.DynamoDB, f.org, f.ws, "openai"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "second delete", f.st.DeleteConnection(f.ctx, f.sc.DynamoDB, f.org, f.ws, "openai"), apperr.NotFound, "connection_not_found", "")
	wantCode(t, "invalid name", f.st.DeleteConnection(f.ctx, f.sc.DynamoDB, f.org, f.ws, "No/Such"), apperr.NotFound, "connection_not_found", "")
	if list, err := f.st.ListConnections(f.ctx, f.sc.DynamoDB, f.org, f.ws); err != nil || len(list) != 1 || list[0].Name != "bedrock-prod" {
		t.Fatalf("list after delete: %+v %v", list, err)
	}
	snap, err := f.st.Load(f.ctx, f.sc.DynamoDB, f.org, f.ws)
	if err != nil || len(snap.Connections) != 1 || snap.Connections["bedrock-prod"].SealedAWSSecret != "aws-"+planted {
		t.Fatalf("Load after delete: %+v %v", snap, err)
	}
}

func TestConnectionHelpers(t *testing.T) {
	for name, want := range map[string]bool{
		"openai": true, "a": true, "0": true, "my_azure-2": true, strings.Repeat("a", 32): true,
		"": false, "-a": false, "_a": false, "Open": false, "a/b": false, "a.b": false, "a b": false, strings.Repeat("a", 33): false,
	} {
		if got := workspace.ValidConnectionName(name); got != want {
			t.Errorf("ValidConnectionName(%q) = %v", name, got)
		}
	}
	fp := workspace.KeyFingerprint([]byte("sk-secret"))
	if !regexp.MustCompile(`^sha256:[0-9a-f]{16}$`).MatchString(fp) || fp != workspace.KeyFingerprint([]byte("sk-secret")) ||
		fp == workspace.KeyFingerprint([]byte("sk-secreT")) {
		t.Errorf("fingerprint %q", fp)
	}
	for key, want := range map[string]string{"sk-proj-0123456789abcdef": "cdef", "short-key": "", "": "", "ключ-ключ-ключ-ключ": "ключ"} {
		if got := workspace.KeyLast4(key); got != want {
			t.Errorf("KeyLast4(%q) = %q, want %q", key, got, want)
		}
	}
}
