package bedrock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tollgate-dev/tollgate/shared/provider"
)

// maxMessage bounds an upstream error message kept in a provider.Error.
const maxMessage = 512

// callError maps an error from a Converse or ConverseStream call: an API
// error (by its HTTP status, or the status its code documents), an
// oversized or undecodable response, or a transport failure. secrets are
// the credential values sent, removed from any upstream message that
// echoes them.
func callError(ctx context.Context, err error, now time.Time, secrets []string) *provider.Error {
	status := 0
	var header http.Header
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		status = re.HTTPStatusCode()
		header = re.Response.Header
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		e := apiError(api, status, secrets)
		if header != nil {
			e.RetryAfter = provider.ParseRetryAfter(header, now)
		}
		return e
	}
	if status >= 300 {
		// An error answer whose body is not a Bedrock error (a proxy's HTML page).
		return &provider.Error{Provider: Name, StatusCode: status, Message: http.StatusText(status)}
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &provider.Error{Provider: Name, StatusCode: orOK(status), Type: "response_too_large", Message: "response too large"}
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return &provider.Error{Provider: Name, StatusCode: orOK(status), Type: "invalid_response", Message: "malformed response body", Err: err}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &provider.Error{Provider: Name, Timeout: isTimeout(ctx, err), Err: fmt.Errorf("send request: %w", err)}
}

// apiError maps a Bedrock error or stream exception. status is the HTTP
// status it came with, 0 inside a stream. ModelTimeoutException is the
// model not answering in time, so it is a timeout whatever its status.
func apiError(api smithy.APIError, status int, secrets []string) *provider.Error {
	code := api.ErrorCode()
	if status == 0 {
		status = statusForCode(code)
	}
	if status == 0 {
		status = http.StatusBadGateway
	}
	e := &provider.Error{
		Provider:   Name,
		StatusCode: status,
		Type:       code,
		Message:    clean(api.ErrorMessage(), secrets),
		Timeout:    eq(code, codeModelTimeout),
	}
	var mse *types.ModelStreamErrorException
	if errors.As(api, &mse) && mse.OriginalMessage != nil && e.Message == "" {
		e.Message = clean(*mse.OriginalMessage, secrets)
	}
	return e
}

// streamError maps the error that ended an event stream: an exception
// event, or the connection failing.
func streamError(ctx context.Context, err error, secrets []string) *provider.Error {
	var api smithy.APIError
	if errors.As(err, &api) {
		return apiError(api, 0, secrets)
	}
	return interrupted(ctx, err)
}

// interrupted maps a stream that broke before its end.
func interrupted(ctx context.Context, err error) *provider.Error {
	return &provider.Error{
		Provider:   Name,
		StatusCode: http.StatusOK,
		Type:       "stream_interrupted",
		Message:    "the stream ended before its final event",
		Timeout:    isTimeout(ctx, err),
		Err:        fmt.Errorf("read stream: %w", err),
	}
}

func orOK(status int) int {
	if status == 0 {
		return http.StatusOK
	}
	return status
}

// isTimeout reports a deadline passed or a network timeout.
func isTimeout(ctx context.Context, err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// clean removes credential values from an upstream message and truncates
// it to maxMessage bytes on a rune boundary.
func clean(msg string, secrets []string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	if len(msg) <= maxMessage {
		return msg
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut]
}
