// Package lambdahttp runs a standard http.Handler inside AWS Lambda behind an
// API Gateway REST API whose integration streams the response
// (responseTransferMode STREAM, Lambda InvokeWithResponseStream).
//
// The gateway's handlers are written against net/http so that the same code
// serves the local stack, tests and Lambda. This package is the one place that
// knows the Lambda side: it turns the REST (v1) proxy event into an
// *http.Request and answers with events.LambdaFunctionURLStreamingResponse,
// whose bytes the runtime client posts as the HTTP integration format (a JSON
// prelude with status, headers and cookies, eight NUL bytes, then the body).
// The prelude is sent as soon as the handler commits its headers, and every
// Flush reaches the runtime at once, so server-sent events stream with no
// added buffering.
package lambdahttp
