package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Codes of the errors this package returns, stable for clients and alerts.
const (
	CodeDestinationBlocked  = "destination_blocked"
	CodeInvalidURL          = "invalid_url"
	CodeUpstreamRedirect    = "upstream_redirect"
	CodeUpstreamUnreachable = "upstream_unreachable"
	CodeUpstreamTimeout     = "upstream_timeout"
)

// blocked is the refusal of a destination. The message names only the class
// of address; cause (for logs) may name the address but never a URL, whose
// userinfo or query could hold a secret.
func blocked(reason string, cause error) *apperr.Error {
	return apperr.Wrap(cause, apperr.Forbidden, CodeDestinationBlocked, "destination not allowed: "+reason)
}

// invalidURL is the refusal of a URL that is malformed or breaks the rules
// of DESIGN §9 on its face.
func invalidURL(message string) *apperr.Error {
	return apperr.New(apperr.Invalid, CodeInvalidURL, "invalid URL: "+message)
}

// errRedirect refuses to follow a redirect: the Location is chosen by the
// upstream and could point anywhere, including at instance metadata.
func errRedirect(status int) *apperr.Error {
	return apperr.Wrap(fmt.Errorf("redirect status %d", status), apperr.UpstreamFailed,
		CodeUpstreamRedirect, "upstream answered with a redirect, which is not followed")
}

// upstreamError turns what http.Client returned into an *apperr.Error. A
// typed error already in the chain (a refusal) is returned as it is;
// anything else becomes a timeout or an unreachable upstream. The URL is
// dropped from the cause, as its query may carry a provider key.
func upstreamError(err error) *apperr.Error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = fmt.Errorf("%s request: %w", ue.Op, ue.Err)
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return apperr.Wrap(cause, apperr.UpstreamTimeout, CodeUpstreamTimeout, "upstream did not answer in time")
	}
	return apperr.Wrap(cause, apperr.UpstreamFailed, CodeUpstreamUnreachable, "upstream could not be reached")
}
