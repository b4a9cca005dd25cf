package token

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

// Stable error codes, part of the management API's contract: clients
// branch on them, so they never change once shipped.
const (
	CodeInvalidName      = "invalid_name"
	CodeInvalidScopes    = "invalid_scopes"
	CodeInvalidWorkspace = "invalid_workspace"
	CodeInvalidMember    = "invalid_member"
	CodeInvalidExpiry    = "invalid_expiry"
	CodeInvalidLimit     = "invalid_limit"
	CodeInvalidGrace     = "invalid_grace"
	CodeInvalidOrg       = "invalid_org"
	CodeNotFound         = "token_not_found"
	CodeRevoked          = "token_revoked"
	CodeExpired          = "token_expired"
	CodeConflict         = "token_conflict"
	CodeUnavailable      = "token_store_unavailable"
	CodeCorrupt          = "corrupt_token_record"
)

// retryAfter is what an Unavailable answer tells the client: store
// hiccups are short, and every operation is safe to retry.
const retryAfter = time.Second

var (
	errNotFound = apperr.New(apperr.NotFound, CodeNotFound, "no such API token")
	errRevoked  = apperr.New(apperr.Conflict, CodeRevoked, "the API token is revoked; create a new one")
	errExpired  = apperr.New(apperr.Conflict, CodeExpired, "the API token has expired; create a new one")
	errConflict = apperr.New(apperr.Conflict, CodeConflict,
		"the API token was changed by another request; fetch it and retry")
	errOrg = apperr.New(apperr.Invalid, CodeInvalidOrg, "invalid organization ID")
)

// invalid is a validation failure naming the offending field.
func invalid(code, param, msg string) error {
	return apperr.New(apperr.Invalid, code, msg).WithParam(param)
}

// unavailable wraps a store failure. The cause is kept for logs; it names
// keys and hashes at most, never a plaintext secret.
func unavailable(op string, err error) error {
	return apperr.Wrap(fmt.Errorf("%s: %w", op, err), apperr.Unavailable, CodeUnavailable,
		"the token store could not be reached; retry shortly").WithRetryAfter(retryAfter)
}

// conditionFailed reports whether err is a failed condition expression.
func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
