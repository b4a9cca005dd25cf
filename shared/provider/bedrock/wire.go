package bedrock

import (
	"net/http"
	"strings"
)

// The Converse and ConverseStream wire types (requests, responses, stream
// events, exceptions) are the SDK's: bedrockruntime.ConverseInput,
// ConverseOutput, ConverseStreamInput and the types.ConverseStreamOutput
// union, serialized as REST-JSON and, for streams, as
// application/vnd.amazon.eventstream binary frames. This file holds what the
// SDK leaves as strings: the error codes Bedrock documents and the HTTP
// status each carries.

// Bedrock Runtime error codes. In a stream the exception type header names
// them with a lower-case first letter (throttlingException); lookups here
// ignore case.
const (
	codeAccessDenied         = "AccessDeniedException"
	codeInternalServer       = "InternalServerException"
	codeModelError           = "ModelErrorException"
	codeModelNotReady        = "ModelNotReadyException"
	codeModelStreamError     = "ModelStreamErrorException"
	codeModelTimeout         = "ModelTimeoutException"
	codeResourceNotFound     = "ResourceNotFoundException"
	codeServiceQuotaExceeded = "ServiceQuotaExceededException"
	codeServiceUnavailable   = "ServiceUnavailableException"
	codeThrottling           = "ThrottlingException"
	codeValidation           = "ValidationException"
	codeUnrecognizedClient   = "UnrecognizedClientException"
	codeExpiredToken         = "ExpiredTokenException"
	codeInvalidSignature     = "InvalidSignatureException"
)

// statusForCode returns the HTTP status Bedrock documents for an error code,
// used when the error arrived without one (an exception inside a stream) or
// the response carried none; 0 for codes it does not know.
func statusForCode(code string) int {
	switch {
	case eq(code, codeThrottling), eq(code, codeModelNotReady):
		return http.StatusTooManyRequests
	case eq(code, codeServiceUnavailable):
		return http.StatusServiceUnavailable
	case eq(code, codeInternalServer):
		return http.StatusInternalServerError
	case eq(code, codeModelTimeout):
		return http.StatusRequestTimeout
	case eq(code, codeModelError), eq(code, codeModelStreamError):
		return http.StatusFailedDependency
	case eq(code, codeAccessDenied), eq(code, codeUnrecognizedClient), eq(code, codeInvalidSignature), eq(code, codeExpiredToken):
		return http.StatusForbidden
	case eq(code, codeValidation), eq(code, codeServiceQuotaExceeded):
		return http.StatusBadRequest
	case eq(code, codeResourceNotFound):
		return http.StatusNotFound
	}
	return 0
}

func eq(a, b string) bool { return strings.EqualFold(a, b) }
