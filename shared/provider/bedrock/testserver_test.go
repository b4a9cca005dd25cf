package bedrock

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

// Fake credentials shaped like real ones.
const (
	testAccessKey = "AKIAIOSFODNN7TOLLGAT"
	testSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTOLLGATEKEY"
	testAPIKey    = "ABSKQmVkcm9ja0FQSUtleS10b2xsZ2F0ZS10ZXN0OnNlY3JldA=="
	testRegion    = "us-west-2"
	testModel     = "anthropic.claude-3-5-haiku-20241022-v1:0"
	testRequestID = "7d3f1c2a-9b8e-4f6d-a5c4-3b2a1908f7e6"
)

var testNow = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// seen is what the test server received.
type seen struct {
	mu   sync.Mutex
	reqs []seenRequest
}

type seenRequest struct {
	Method, EscapedPath, RequestURI, Host string
	Header                                http.Header
	Body                                  []byte
}

func (s *seen) last(t *testing.T) seenRequest {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		t.Fatal("server received no request")
	}
	return s.reqs[len(s.reqs)-1]
}

func record(rec *seen, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seenRequest{Method: r.Method, EscapedPath: r.URL.EscapedPath(), RequestURI: r.RequestURI,
			Host: r.Host, Header: r.Header.Clone(), Body: body})
		rec.mu.Unlock()
		h(w, r)
	}
}

// serve starts a plain-HTTP loopback server and returns a Provider and a
// call signed with static AWS keys pointed at it.
func serve(t *testing.T, h http.HandlerFunc) (*Provider, *provider.Call, *seen) {
	t.Helper()
	rec := &seen{}
	srv := httptest.NewServer(record(rec, h))
	t.Cleanup(srv.Close)
	p := New(srv.Client(), WithClock(func() time.Time { return testNow }))
	return p, &provider.Call{
		Request:    &chat.Request{Model: testModel, Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("hi")}}},
		Credential: provider.Credential{AWSAccessKeyID: testAccessKey, AWSSecretAccessKey: testSecret},
		Endpoint:   provider.Endpoint{BaseURL: srv.URL, Region: testRegion},
	}, rec
}

// serveTLS is serve over HTTPS with a Bedrock API key.
func serveTLS(t *testing.T, h http.HandlerFunc) (*Provider, *provider.Call, *seen) {
	t.Helper()
	rec := &seen{}
	srv := httptest.NewTLSServer(record(rec, h))
	t.Cleanup(srv.Close)
	p := New(srv.Client(), WithClock(func() time.Time { return testNow }))
	return p, &provider.Call{
		Request:    &chat.Request{Model: testModel, Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("hi")}}},
		Credential: provider.Credential{APIKey: testAPIKey},
		Endpoint:   provider.Endpoint{BaseURL: srv.URL, Region: testRegion},
	}, rec
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jsonHandler answers like Bedrock's REST-JSON endpoints.
func jsonHandler(status int, header http.Header, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Requestid", testRequestID)
		w.WriteHeader(status)
		w.Write(body)
	}
}

// awsError answers with a Bedrock error: the code in X-Amzn-ErrorType (with
// the coral namespace suffix Bedrock adds) and {"message": …}.
func awsError(status int, code, message string, header http.Header) http.HandlerFunc {
	h := http.Header{"X-Amzn-Errortype": {code + ":http://internal.amazon.com/coral/com.amazon.bedrock/"}}
	for k, v := range header {
		h[k] = v
	}
	body, _ := json.Marshal(map[string]string{"message": message})
	return jsonHandler(status, h, body)
}

// encodeEvents turns a JSONL fixture into event stream frames: each line
// is {"event": type, "payload": {...}} or {"exception": type, "payload": {...}}.
func encodeEvents(t testing.TB, jsonl []byte) [][]byte {
	t.Helper()
	var frames [][]byte
	enc := eventstream.NewEncoder()
	sc := bufio.NewScanner(bytes.NewReader(jsonl))
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var line struct {
			Event     string          `json:"event"`
			Exception string          `json:"exception"`
			Payload   json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("fixture line %q: %v", sc.Text(), err)
		}
		var payload bytes.Buffer
		if err := json.Compact(&payload, line.Payload); err != nil {
			t.Fatal(err)
		}
		var msg eventstream.Message
		if line.Exception != "" {
			msg.Headers.Set(":exception-type", eventstream.StringValue(line.Exception))
			msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
			msg.Headers.Set(":message-type", eventstream.StringValue("exception"))
		} else {
			msg.Headers.Set(":event-type", eventstream.StringValue(line.Event))
			msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
			msg.Headers.Set(":message-type", eventstream.StringValue("event"))
		}
		msg.Payload = payload.Bytes()
		var frame bytes.Buffer
		if err := enc.Encode(&frame, msg); err != nil {
			t.Fatal(err)
		}
		frames = append(frames, frame.Bytes())
	}
	return frames
}

// streamHandler serves frames as ConverseStream does, flushing after every
// write of at most step bytes (so frames split across reads).
func streamHandler(frames [][]byte, step int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		w.Header().Set("X-Amzn-Requestid", testRequestID)
		w.WriteHeader(http.StatusOK)
		f := w.(http.Flusher)
		f.Flush()
		for _, frame := range frames {
			for i := 0; i < len(frame); i += step {
				if _, err := w.Write(frame[i:min(i+step, len(frame))]); err != nil {
					return
				}
				f.Flush()
			}
		}
	}
}

// hijackHandler answers 200 with a chunked event stream holding data, then
// drops the connection without the terminating chunk.
func hijackHandler(data []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.amazon.eventstream\r\nX-Amzn-Requestid: %s\r\nTransfer-Encoding: chunked\r\n\r\n", testRequestID)
		fmt.Fprintf(buf, "%x\r\n%s\r\n", len(data), data)
		buf.Flush()
	}
}

// stallHandler never answers until the client gives up.
func stallHandler(w http.ResponseWriter, r *http.Request) {
	<-r.Context().Done()
}

// drain reads a stream to its end and returns the chunks and the error
// that ended it.
func drain(t *testing.T, s provider.Stream) ([]*chat.Chunk, error) {
	t.Helper()
	var out []*chat.Chunk
	for range 1000 {
		c, err := s.Recv()
		if err != nil {
			return out, err
		}
		out = append(out, c)
	}
	t.Fatal("stream did not end")
	return nil, nil
}

// assertJSON compares v's JSON with want, ignoring layout.
func assertJSON(t *testing.T, v any, want string) {
	t.Helper()
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !jsonEqual(t, got, []byte(want)) {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%v: %s", err, a)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return bytes.Equal(xb, yb)
}

// assertSigV4 recomputes the request's SigV4 signature from the static test
// credentials and checks the Authorization header the server received.
func assertSigV4(t *testing.T, r seenRequest) {
	t.Helper()
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/") {
		t.Fatalf("Authorization %q is not SigV4 for the test key", auth)
	}
	amzDate := r.Header.Get("X-Amz-Date")
	signedAt, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil {
		t.Fatalf("X-Amz-Date %q: %v", amzDate, err)
	}
	wantScope := fmt.Sprintf("Credential=%s/%s/%s/bedrock/aws4_request,", testAccessKey, signedAt.Format("20060102"), testRegion)
	if !strings.Contains(auth, wantScope) {
		t.Fatalf("Authorization %q lacks scope %q", auth, wantScope)
	}
	_, signed, _ := strings.Cut(auth, "SignedHeaders=")
	signed, _, _ = strings.Cut(signed, ",")
	req, err := http.NewRequest(r.Method, "http://"+r.Host+r.RequestURI, bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range strings.Split(signed, ";") {
		if h != "host" {
			req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(r.Body)
	creds := aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "bedrock", testRegion, signedAt); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("Authorization"); got != auth {
		t.Fatalf("signature does not verify:\n got  %s\n want %s", auth, got)
	}
}

// assertNoSecret checks that no credential value reached the server
// outside the Authorization header's signature, nor the URL.
func assertNoSecret(t *testing.T, r seenRequest) {
	t.Helper()
	for name, vs := range r.Header {
		for _, v := range vs {
			if strings.Contains(v, testSecret) {
				t.Errorf("secret sent in header %s", name)
			}
		}
	}
	if strings.Contains(r.RequestURI, testSecret) || strings.Contains(r.RequestURI, testAPIKey) || bytes.Contains(r.Body, []byte(testSecret)) {
		t.Errorf("credential sent in the URL or body")
	}
}
