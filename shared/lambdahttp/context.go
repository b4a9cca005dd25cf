package lambdahttp

import "context"

// requestInfo is what API Gateway knows about the caller that a plain
// *http.Request cannot carry faithfully.
type requestInfo struct {
	requestID string
	sourceIP  string
	userAgent string
}

type infoKey struct{}

func withInfo(ctx context.Context, info requestInfo) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

func infoFrom(ctx context.Context) requestInfo {
	info, _ := ctx.Value(infoKey{}).(requestInfo)
	return info
}

// RequestID returns API Gateway's request ID for the request ctx belongs to,
// so logs and traces can be joined with API Gateway's access logs. It is
// empty outside a request served by Handler.
func RequestID(ctx context.Context) string { return infoFrom(ctx).requestID }

// SourceIP returns the client address API Gateway saw, the only trustworthy
// one: X-Forwarded-For can be set by the client. It is empty outside a
// request served by Handler.
func SourceIP(ctx context.Context) string { return infoFrom(ctx).sourceIP }

// UserAgent returns the caller's user agent as API Gateway recorded it,
// falling back to the User-Agent header. It is empty outside a request served
// by Handler.
func UserAgent(ctx context.Context) string { return infoFrom(ctx).userAgent }
