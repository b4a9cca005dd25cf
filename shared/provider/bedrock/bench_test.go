package bedrock

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

func newBenchServer(b *testing.B, body []byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the request first, as Bedrock does: answering before the
		// body is read races the client's body writer on a reused connection.
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

func benchCall(base string) *provider.Call {
	return &provider.Call{
		Request:    &chat.Request{Model: testModel, Messages: []chat.Message{{Role: chat.RoleUser, Content: chat.TextContent("hi")}}},
		Credential: provider.Credential{AWSAccessKeyID: testAccessKey, AWSSecretAccessKey: testSecret},
		Endpoint:   provider.Endpoint{BaseURL: base, Region: testRegion},
	}
}
