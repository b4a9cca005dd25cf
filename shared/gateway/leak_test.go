package gateway_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/scrub"
)

// TestNoSecretOrPromptAnywhere runs calls through every path (plain,
// streamed, failing upstream, rejected key) in the default mode, then scans
// every item of the local table and every captured log line: neither the
// prompt, the response, the provider key nor the caller's token appears.
func TestNoSecretOrPromptAnywhere(t *testing.T) {
	e := newEnv(t)
	const prompt = "PROMPT-MARKER-7c1e the quarterly numbers are confidential"
	e.alias("resilient", "loop/mock-down", "loop/mock-small")
	var answers []string
	for _, body := range []string{
		`{"model":"loop/mock-small","messages":[{"role":"user","content":"%s"}]}`,
		`{"model":"loop/mock-small","stream":true,"messages":[{"role":"user","content":"%s"}]}`,
		`{"model":"resilient","messages":[{"role":"user","content":"%s"}]}`,
		`{"model":"loop/mock-broken","stream":true,"messages":[{"role":"user","content":"%s"}]}`,
		`{"model":"mock/mock-small","metadata":{"store_content":"true"},"messages":[{"role":"user","content":"%s"}]}`,
	} {
		resp := e.post(fmt.Sprintf(body, prompt))
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		answers = append(answers, string(b))
	}
	// A response fragment long enough to be unmistakable.
	var output string
	for _, a := range answers {
		if i := strings.Index(a, `"content":"`); i >= 0 && len(a) > i+40 {
			output = a[i+11 : i+40]
			break
		}
	}
	if output == "" {
		t.Fatal("no response text to look for")
	}
	forbidden := map[string]string{
		"prompt": "PROMPT-MARKER-7c1e", "response": output, "provider key": upstreamKey,
		"provider key tail": upstreamKey[20:], "caller token": e.token,
	}
	// Settlement and the access log line follow the response: wait for them.
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(logs.String(), e.org) < 5 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	logText := logs.String()
	for what, s := range forbidden {
		if strings.Contains(logText, s) {
			t.Errorf("%s found in logs", what)
		}
	}
	if scrub.Contains(logText) {
		t.Error("a credential-shaped string survived in the logs")
	}
	direct := dynamodb.NewFromConfig(stack.DirectDynamoDBConfig())
	p := dynamodb.NewScanPaginator(direct, &dynamodb.ScanInput{TableName: aws.String(stack.TableName)})
	items := 0
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		must(t, err)
		for _, it := range page.Items {
			items++
			flat := flatten(it)
			for what, s := range forbidden {
				if strings.Contains(flat, s) {
					t.Errorf("%s found in table item %s/%s", what, flatten(map[string]types.AttributeValue{"pk": it["pk"]}), "…")
				}
			}
		}
	}
	if items == 0 {
		t.Fatal("scanned no items")
	}
}

func flatten(item map[string]types.AttributeValue) string {
	var b strings.Builder
	var walk func(types.AttributeValue)
	walk = func(v types.AttributeValue) {
		switch x := v.(type) {
		case *types.AttributeValueMemberS:
			b.WriteString(x.Value)
		case *types.AttributeValueMemberB:
			b.Write(x.Value)
		case *types.AttributeValueMemberSS:
			b.WriteString(strings.Join(x.Value, " "))
		case *types.AttributeValueMemberL:
			for _, e := range x.Value {
				walk(e)
			}
		case *types.AttributeValueMemberM:
			for k, e := range x.Value {
				b.WriteString(k)
				walk(e)
			}
		}
		b.WriteByte(' ')
	}
	for k, v := range item {
		b.WriteString(k)
		walk(v)
	}
	return b.String()
}
