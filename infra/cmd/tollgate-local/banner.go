package main

import (
	"fmt"
	"time"
)

// printBanner tells the developer what runs where and how to try it.
func printBanner(sys *system, opts options, envPath string, ready time.Duration) {
	s := sys.stack
	fmt.Printf(`Tollgate is running locally (ready in %s).

  gateway (OpenAI-compatible)  %s
  trace ingestion              %s/traces (JSON), %s/otlp (OTLP/HTTP JSON exporters)
  management API               http://%s/api/v1 (the demo key acts for the demo org's owner)
  AWS endpoint (enforcing)     %s   DynamoDB, KMS, STS and SQS, with TenantRole enforced
  DynamoDB Local               %s
  moto (KMS, SQS, STS)         %s
  demo org / workspace         %s / %s
  demo key and URL             %s
  retention job                every %s; now: curl -X POST http://%s/local/jobs/retention
  drift job                    every %s; now: curl -X POST http://%s/local/jobs/drift
  eval worker                  2 workers on the local eval queue (README: "Evaluating a cheaper model")
  mock regressions             GET http://%s/local/mock/regressions lists them; PUT or DELETE
                               .../regressions/{model} sets or clears one, e.g. make mock-large worse:
                               curl -X PUT http://%s/local/mock/regressions/mock-large \
                                 -d '{"error_percent":20,"extra_latency_ms":500,"quality_drop":0.3}'

Try it:
  source .local/demo.env
  curl -s $TOLLGATE_URL/chat/completions -H "Authorization: Bearer $TOLLGATE_API_KEY" \
    -H 'Content-Type: application/json' -d '{"model":"default","messages":[{"role":"user","content":"hello"}]}'

Ctrl-C stops everything.
`, ready.Round(10*time.Millisecond), sys.baseURL, sys.baseURL, sys.baseURL, sys.addr, s.Endpoint, s.DynamoDBURL, s.MotoURL,
		sys.demo.Org, sys.demo.Workspace, envPath, opts.retentionEvery, sys.addr, opts.driftEvery, sys.addr, sys.addr, sys.addr)
}
