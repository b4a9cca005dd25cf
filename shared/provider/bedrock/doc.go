// Package bedrock adapts Amazon Bedrock's Converse and ConverseStream APIs to
// Tollgate's canonical chat types, through the AWS SDK's bedrockruntime
// client.
//
// Each call builds its own SDK client (see Provider.sdkClient): region from
// the endpoint (us-east-1 by default), the gateway's injected *http.Client,
// the endpoint's base URL when set, SDK retries off, and the workspace's
// credential — a Bedrock API key sent as Authorization: Bearer (HTTPS only),
// or static AWS keys signed with SigV4 for service "bedrock".
//
// Request mapping: system and developer messages become system blocks;
// turns become user and assistant messages, consecutive turns of one role
// merged because Converse requires them to alternate; images are sent as
// bytes from data: URIs (http(s) image URLs are refused: Converse does not
// fetch URLs and neither does the gateway); tool calls and tool results
// become toolUse and toolResult blocks; tools become toolConfig, whose
// choice has no "none" (see toolConfig); max tokens, temperature, top_p and
// stop become inferenceConfig; json_schema becomes outputConfig structured
// output. n > 1 and json_object, which Converse cannot do, are Invalid
// errors; seed and the penalties are not sent.
//
// Response mapping: text blocks are joined (reasoning blocks dropped),
// toolUse blocks become tool calls keeping Bedrock's toolUseId, stopReason
// maps onto the OpenAI finish reasons, and usage counts cache reads and
// writes into prompt_tokens (Bedrock's inputTokens excludes them) while
// breaking them out as cached_tokens and cache_creation_tokens. Bedrock
// reports no separate reasoning token count.
//
// Errors become *provider.Error with Bedrock's error code as Type and the
// HTTP status it came with, or, for exceptions inside a stream, the status
// Bedrock documents for that code (throttlingException 429,
// serviceUnavailableException 503, internalServerException 500,
// modelStreamErrorException 424, validationException 400).
// ModelTimeoutException is also marked Timeout.
package bedrock
