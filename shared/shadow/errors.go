package shadow

import (
	"fmt"
	"time"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Stable error codes a caller can act on. The gateway skips a sample
// refused with CodeCredential or CodeTooLarge; an evaluation drops a sample
// that is CodeNotFound (expired or already scored).
const (
	CodeNotFound    = "shadow_sample_not_found"
	CodeCredential  = "shadow_credential_detected"
	CodeTooLarge    = "shadow_sample_too_large"
	CodeInvalid     = "invalid_shadow_sample"
	CodeInvalidRef  = "invalid_shadow_ref"
	CodeUnreadable  = "shadow_sample_unreadable"
	CodeCorrupt     = "shadow_sample_corrupt"
	CodeUnavailable = "shadow_store_unavailable"
)

func notFound() error {
	return apperr.New(apperr.NotFound, CodeNotFound, "no such shadow sample")
}

func invalid(code, param, msg string) error {
	return apperr.New(apperr.Invalid, code, msg).WithParam(param)
}

func invalidRef() error {
	return invalid(CodeInvalidRef, "ref", "not a shadow sample reference")
}

// unavailable reports a table failure: the caller may retry after a second
// (the gateway just drops the sample, an evaluation retries its chunk).
func unavailable(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Unavailable, CodeUnavailable,
		"shadow samples could not be reached; retry shortly").WithRetryAfter(time.Second)
}

// corrupt reports a stored sample that is not what Put writes. The cause
// names the sample only, never its content.
func corrupt(sampleID, format string, args ...any) error {
	return apperr.Wrap(fmt.Errorf("shadow sample %s: "+format, append([]any{sampleID}, args...)...),
		apperr.Internal, CodeCorrupt, "internal error")
}
