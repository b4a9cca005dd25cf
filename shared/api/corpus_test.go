package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// corpus is the scrubber's golden corpus of credential shapes (OpenAI
// project/service/admin keys, Anthropic, AWS long-term and temporary keys
// with secrets, Google API keys, GitHub, Slack, JWTs, bearer and basic
// headers, private keys, our own tokens, …), the secret column of
// shared/scrub/testdata/credentials.txt.
func corpus(t *testing.T) []leak {
	t.Helper()
	f, err := os.Open("../scrub/testdata/credentials.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []leak
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 3 {
			continue
		}
		for i := 1; i <= 2; i++ {
			if strings.HasPrefix(cols[i], `"`) {
				if cols[i], err = strconv.Unquote(cols[i]); err != nil {
					t.Fatalf("corpus line %q: %v", line, err)
				}
			}
		}
		out = append(out, leak{secret: cols[1], planted: strings.ReplaceAll(cols[2], "{}", cols[1])})
	}
	if len(out) < 40 {
		t.Fatalf("corpus has %d secrets", len(out))
	}
	return out
}

// leak is one secret and the text it is planted as: the secret in the
// context it leaks through (many shapes are a credential only there, like
// a password after "password=").
type leak struct{ secret, planted string }

// needle is what must never show: the secret itself, or for multi-line
// secrets (private keys) their longest line.
func needle(secret string) string {
	best := ""
	for _, l := range strings.Split(secret, "\n") {
		if len(l) > len(best) {
			best = l
		}
	}
	return best
}

// TestSecretCorpusNeverLands plants every credential shape of the corpus
// in every place a caller or a provider can put one — request headers,
// query strings, bodies, metadata tags, model names, event IDs, tags and
// feature labels of ingested traces, API bodies and field names, base
// URLs, and a provider's error message — then looks for each one in every
// log line, every answer (errors included), the audit log and every item
// of the raw table (traces, aggregates, settings, audit): none is there.
func TestSecretCorpusNeverLands(t *testing.T) {
	l := newLifecycle(t)
	owner, ws := l.org.Token, "/api/v1/workspaces/"+l.org.Workspace
	l.expect(200, "put key", l.apiURL, owner, "PUT", ws+"/keys/main",
		`{"kind":"openai","base_url":"`+l.upstream+`/v1","api_key":"sk-proj-CORPUSRUNkey0123456789abcdefABCDEF"}`)
	l.expect(200, "alias", l.apiURL, owner, "PUT", ws+"/aliases/default", `{"targets":["main/gpt-4o-mini"]}`)
	l.expect(200, "content policy", l.apiURL, owner, "PATCH", ws+"/retention", `{"store_content_allowed":true}`)
	l.advance(6 * time.Second)

	samples := corpus(t)
	at := l.clock().Add(-time.Minute).UTC().Format(time.RFC3339)
	for i, sm := range samples {
		s := sm.planted
		js, _ := json.Marshal(s) // s as a JSON string literal
		q := url.QueryEscape(s)
		// Gateway: header, query string, prompt, metadata tag, model name.
		req := fmt.Sprintf(`{"model":"default","metadata":{"team":%s,"store_content":"true"},"messages":[{"role":"user","content":%s}]}`, js, js)
		h := needle(s) // header values are one line
		l.callWith(l.gwURL, owner, "POST", "/v1/chat/completions?debug="+q, req, "X-Debug", h)
		l.call(l.gwURL, owner, "POST", "/v1/chat/completions",
			fmt.Sprintf(`{"model":%s,"messages":[{"role":"user","content":"hi"}]}`, mustJSON("main/"+s)))
		l.call(l.gwURL, h, "POST", "/v1/chat/completions", `{"model":"default","messages":[{"role":"user","content":"hi"}]}`)
		// A provider that quotes the key back in its error.
		l.mu.Lock()
		l.upstreamError = "Incorrect API key provided: " + s + ". You can find your API key at https://platform.openai.com."
		l.mu.Unlock()
		l.call(l.gwURL, owner, "POST", "/v1/chat/completions", `{"model":"default","messages":[{"role":"user","content":"hi"}]}`)
		l.mu.Lock()
		l.upstreamError = ""
		l.mu.Unlock()
		// Ingest: event ID, model, tags and feature label.
		l.call(l.ingURL, owner, "POST", "/v1/traces?debug="+q, fmt.Sprintf(
			`{"events":[{"id":%s,"time":"%s","provider":"openai","model":%s,"tags":{"k":%s},"feature":%s},`+
				`{"id":"corpus-%d","time":"%s","provider":"openai","model":"gpt-4o-mini","tags":{"k":%s},"feature":%s}]}`,
			js, at, js, js, js, i, at, js, js))
		// Management API: names, a field name, a base URL, a query filter, a bad key.
		l.call(l.apiURL, owner, "POST", "/api/v1/workspaces", fmt.Sprintf(`{"name":%s}`, js))
		l.call(l.apiURL, owner, "POST", "/api/v1/members", fmt.Sprintf(`{"email":"m%d@corpus.example","name":%s,"role":"viewer"}`, i, js))
		l.call(l.apiURL, owner, "POST", "/api/v1/tokens", fmt.Sprintf(`{"name":%s,"workspace":"%s","scopes":["read"]}`, js, l.org.Workspace))
		l.call(l.apiURL, owner, "PATCH", ws, fmt.Sprintf(`{%s:"x"}`, js))
		l.call(l.apiURL, owner, "PUT", ws+"/keys/leaky", fmt.Sprintf(`{"kind":"openai","api_key":"sk-ok-0123456789abcdef","base_url":"https://api.example.com/v1?key=%s"}`, q))
		l.call(l.apiURL, owner, "GET", "/api/v1/audit?action="+q, "")
		l.call(l.apiURL, h, "GET", "/api/v1/me", "")
	}
	// What a reader of this org would see.
	l.call(l.apiURL, owner, "GET", "/api/v1/audit/export?format=jsonl", "")
	l.call(l.apiURL, owner, "GET", "/api/v1/org/export", "")

	l.mu.Lock()
	seen := l.logs.String() + "\n" + l.bodies.String()
	l.mu.Unlock()
	table := rawTable(t)
	for _, sm := range samples {
		s := sm.secret
		n := needle(s)
		if strings.Contains(seen, n) {
			t.Errorf("a %d-byte secret starting %q reached a log line or an answer", len(s), n[:6])
		}
		if strings.Contains(table, n) || strings.Contains(table, url.QueryEscape(n)) {
			t.Errorf("a %d-byte secret starting %q is stored in clear", len(s), n[:6])
		}
	}
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// rawTable is every item of the table as JSON text, read from DynamoDB
// Local directly.
func rawTable(t *testing.T) string {
	t.Helper()
	db := dynamodb.NewFromConfig(stack.DirectDynamoDBConfig())
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(stack.TableName)})
	var b strings.Builder
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			var m map[string]any
			if err := attributevalue.UnmarshalMap(it, &m); err != nil {
				t.Fatal(err)
			}
			j, _ := json.Marshal(m)
			b.Write(j)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
