package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// newRequest converts an API Gateway REST proxy event into the server-side
// *http.Request a net/http handler expects. The body is bounded by maxBody
// before it is decoded, so an oversized base64 body costs no allocation.
func newRequest(ctx context.Context, ev events.APIGatewayProxyRequest, maxBody int64) (*http.Request, *apperr.Error) {
	body, aerr := decodeBody(ev.Body, ev.IsBase64Encoded, maxBody)
	if aerr != nil {
		return nil, aerr
	}

	header := eventHeader(ev)
	host := header.Get("Host")
	header.Del("Host")
	if host == "" {
		host = ev.RequestContext.DomainName
	}
	userAgent := ev.RequestContext.Identity.UserAgent
	if userAgent == "" {
		userAgent = header.Get("User-Agent")
	}
	ctx = withInfo(ctx, requestInfo{
		requestID: ev.RequestContext.RequestID,
		sourceIP:  ev.RequestContext.Identity.SourceIP,
		userAgent: userAgent,
	})

	method := ev.HTTPMethod
	if method == "" {
		method = http.MethodGet
	}
	path := ev.Path
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	u := &url.URL{Path: path, RawQuery: eventQuery(ev).Encode()}
	// The URL is set, not parsed: a path such as "//x" would parse as a host.
	req, err := http.NewRequestWithContext(ctx, method, "/", bytes.NewReader(body))
	if err != nil {
		return nil, apperr.Wrap(fmt.Errorf("build request: %w", err), apperr.Invalid, "invalid_request", "request method is not valid")
	}
	req.URL = u
	req.Header = header
	req.Host = host
	req.RequestURI = u.RequestURI()
	req.RemoteAddr = ev.RequestContext.Identity.SourceIP
	req.ContentLength = int64(len(body))
	if len(body) == 0 {
		req.Body = http.NoBody
	}
	if major, minor, ok := http.ParseHTTPVersion(ev.RequestContext.Protocol); ok {
		req.Proto, req.ProtoMajor, req.ProtoMinor = ev.RequestContext.Protocol, major, minor
	}
	return req, nil
}

// decodeBody returns the raw request body, refusing one over maxBody. For a
// base64 body the decoded size is computed from the encoded length first.
func decodeBody(s string, isBase64 bool, maxBody int64) ([]byte, *apperr.Error) {
	if !isBase64 {
		if int64(len(s)) > maxBody {
			return nil, tooLarge(maxBody)
		}
		return []byte(s), nil
	}
	if base64DecodedLen(s) > maxBody {
		return nil, tooLarge(maxBody)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, apperr.Wrap(fmt.Errorf("decode base64 body: %w", err), apperr.Invalid, "invalid_body_encoding", "request body is not valid base64")
	}
	if int64(len(b)) > maxBody {
		return nil, tooLarge(maxBody)
	}
	return b, nil
}

// base64DecodedLen is the number of bytes s decodes to, without decoding:
// each non-padding character carries six bits.
func base64DecodedLen(s string) int64 {
	n := int64(len(s))
	for i := 0; i < 2 && n > 0 && s[n-1] == '='; i++ {
		n--
	}
	return n * 6 / 8
}

func tooLarge(maxBody int64) *apperr.Error {
	return apperr.New(apperr.TooLarge, "request_too_large", fmt.Sprintf("request body is larger than %d bytes", maxBody))
}

// eventHeader prefers the multi-value headers, which keep repeated fields,
// and falls back to the single-value map that older test events carry.
func eventHeader(ev events.APIGatewayProxyRequest) http.Header {
	h := make(http.Header, max(len(ev.MultiValueHeaders), len(ev.Headers)))
	if len(ev.MultiValueHeaders) > 0 {
		for k, vs := range ev.MultiValueHeaders {
			for _, v := range vs {
				h.Add(k, v)
			}
		}
		return h
	}
	for k, v := range ev.Headers {
		h.Add(k, v)
	}
	return h
}

// eventQuery prefers the multi-value query parameters for the same reason.
// API Gateway hands them over decoded; Encode escapes them again.
func eventQuery(ev events.APIGatewayProxyRequest) url.Values {
	q := make(url.Values, max(len(ev.MultiValueQueryStringParameters), len(ev.QueryStringParameters)))
	if len(ev.MultiValueQueryStringParameters) > 0 {
		for k, vs := range ev.MultiValueQueryStringParameters {
			q[k] = append(q[k], vs...)
		}
		return q
	}
	for k, v := range ev.QueryStringParameters {
		q.Add(k, v)
	}
	return q
}
