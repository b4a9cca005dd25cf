package apperr

import "net/http"

// HTTPStatus is the one table mapping a Kind to an HTTP status. Only
// transport edges (the gateway's and the API's error writers) call it.
func (k Kind) HTTPStatus() int {
	switch k {
	case Invalid:
		return http.StatusBadRequest
	case Unauthenticated:
		return http.StatusUnauthorized
	case Forbidden:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case Unprocessable:
		return http.StatusUnprocessableEntity
	case RateLimited, BudgetExhausted:
		return http.StatusTooManyRequests
	case UpstreamFailed:
		return http.StatusBadGateway
	case Unavailable:
		return http.StatusServiceUnavailable
	case UpstreamTimeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}
