package lambdahttp

import (
	"encoding/base64"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// seen is what a handler observed of its request.
type seen struct {
	Method, Path, RawQuery, RequestURI, Host, RemoteAddr, Proto string
	Query                                                       map[string][]string
	Header                                                      http.Header
	Body                                                        string
	ContentLength                                               int64
	RequestID, SourceIP, UserAgent                              string
}

func TestRequestMapping(t *testing.T) {
	tests := []struct {
		name string
		edit func(*events.APIGatewayProxyRequest)
		want seen
	}{
		{
			name: "multi-value headers and query win over single-value",
			edit: func(ev *events.APIGatewayProxyRequest) {
				ev.Headers = map[string]string{"X-Multi": "b", "Host": "ignored.example.com"}
				ev.MultiValueHeaders = map[string][]string{
					"x-multi":      {"a", "b"},
					"host":         {"api.example.com"},
					"content-type": {"application/json"},
				}
				ev.QueryStringParameters = map[string]string{"q": "2"}
				ev.MultiValueQueryStringParameters = map[string][]string{"q": {"1", "2"}, "sp ace": {"a&b"}}
				ev.Body = `{"model":"m"}`
			},
			want: seen{
				Method: "POST", Path: "/v1/chat/completions", RawQuery: "q=1&q=2&sp+ace=a%26b",
				RequestURI: "/v1/chat/completions?q=1&q=2&sp+ace=a%26b",
				Host:       "api.example.com", RemoteAddr: "203.0.113.9", Proto: "HTTP/1.1",
				Query:  map[string][]string{"q": {"1", "2"}, "sp ace": {"a&b"}},
				Header: http.Header{"X-Multi": {"a", "b"}, "Content-Type": {"application/json"}},
				Body:   `{"model":"m"}`, ContentLength: 13,
				RequestID: "req-1", SourceIP: "203.0.113.9", UserAgent: "curl/8.5.0",
			},
		},
		{
			name: "single-value fallback and host from the domain name",
			edit: func(ev *events.APIGatewayProxyRequest) {
				ev.HTTPMethod = "GET"
				ev.Path = "/v1/models"
				ev.Headers = map[string]string{"authorization": "Bearer x", "User-Agent": "header-ua"}
				ev.QueryStringParameters = map[string]string{"limit": "10"}
				ev.RequestContext.Identity.UserAgent = ""
			},
			want: seen{
				Method: "GET", Path: "/v1/models", RawQuery: "limit=10", RequestURI: "/v1/models?limit=10",
				Host: "abc123.execute-api.us-east-1.amazonaws.com", RemoteAddr: "203.0.113.9", Proto: "HTTP/1.1",
				Query:     map[string][]string{"limit": {"10"}},
				Header:    http.Header{"Authorization": {"Bearer x"}, "User-Agent": {"header-ua"}},
				RequestID: "req-1", SourceIP: "203.0.113.9", UserAgent: "header-ua",
			},
		},
		{
			name: "base64 body is decoded",
			edit: func(ev *events.APIGatewayProxyRequest) {
				ev.Path = "/ingest"
				ev.Body = base64.StdEncoding.EncodeToString([]byte("\x00\x01binary\xff"))
				ev.IsBase64Encoded = true
			},
			want: seen{
				Method: "POST", Path: "/ingest", RequestURI: "/ingest",
				Host: "abc123.execute-api.us-east-1.amazonaws.com", RemoteAddr: "203.0.113.9", Proto: "HTTP/1.1",
				Query: map[string][]string{}, Header: http.Header{},
				Body: "\x00\x01binary\xff", ContentLength: 9,
				RequestID: "req-1", SourceIP: "203.0.113.9", UserAgent: "curl/8.5.0",
			},
		},
		{
			name: "a path starting with two slashes stays a path",
			edit: func(ev *events.APIGatewayProxyRequest) { ev.HTTPMethod = "DELETE"; ev.Path = "//evil.example/x" },
			want: seen{
				Method: "DELETE", Path: "//evil.example/x", RequestURI: "//evil.example/x",
				Host: "abc123.execute-api.us-east-1.amazonaws.com", RemoteAddr: "203.0.113.9", Proto: "HTTP/1.1",
				Query: map[string][]string{}, Header: http.Header{},
				RequestID: "req-1", SourceIP: "203.0.113.9", UserAgent: "curl/8.5.0",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make(chan seen, 1)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(r.Body)
				if err != nil {
					t.Errorf("read body: %v", err)
				}
				got <- seen{
					Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, RequestURI: r.RequestURI,
					Host: r.Host, RemoteAddr: r.RemoteAddr, Proto: r.Proto,
					Query: r.URL.Query(), Header: r.Header, Body: string(body), ContentLength: r.ContentLength,
					RequestID: RequestID(r.Context()), SourceIP: SourceIP(r.Context()), UserAgent: UserAgent(r.Context()),
				}
				w.WriteHeader(http.StatusNoContent)
			})
			ev := event("POST", "/v1/chat/completions")
			tt.edit(&ev)
			p, _, err := invoke(t, Handler(h, Options{}), ev)
			if err != nil || p.StatusCode != http.StatusNoContent {
				t.Fatalf("status %d, read error %v", p.StatusCode, err)
			}
			if g := recv(t, got, "handler call"); !reflect.DeepEqual(g, tt.want) {
				t.Errorf("request mismatch\n got %+v\nwant %+v", g, tt.want)
			}
		})
	}
}
