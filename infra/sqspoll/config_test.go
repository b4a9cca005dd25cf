package sqspoll

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestConfig checks New's defaults and that it rejects what SQS would.
func TestConfig(t *testing.T) {
	valid := func() Config {
		return Config{
			Client:   sqs.New(sqs.Options{Region: "eu-west-1"}),
			QueueURL: "http://localhost/123456789012/q", QueueARN: "arn:aws:sqs:eu-west-1:123456789012:q",
			Invoker: InvokerFunc(func(context.Context, []byte) ([]byte, error) { return nil, nil }),
		}
	}
	p, err := New(valid())
	if err != nil {
		t.Fatal(err)
	}
	if c := p.cfg; c.BatchSize != 10 || c.Wait != 1 || c.Concurrency != 1 || c.VisibilityTimeout != 0 ||
		c.Region != "eu-west-1" || c.Logger == nil {
		t.Errorf("defaults: %+v", c)
	}

	cases := []struct {
		name   string
		change func(*Config)
		errHas string
	}{
		{"no client", func(c *Config) { c.Client = nil }, "Client"},
		{"no queue URL", func(c *Config) { c.QueueURL = "" }, "QueueURL"},
		{"no queue ARN", func(c *Config) { c.QueueARN = "" }, "QueueARN"},
		{"ARN without region", func(c *Config) { c.QueueARN = "q" }, "region"},
		{"no invoker", func(c *Config) { c.Invoker = nil }, "Invoker"},
		{"batch too large", func(c *Config) { c.BatchSize = 11 }, "BatchSize"},
		{"negative batch", func(c *Config) { c.BatchSize = -1 }, "BatchSize"},
		{"wait too long", func(c *Config) { c.Wait = 21 }, "Wait"},
		{"visibility too long", func(c *Config) { c.VisibilityTimeout = 43201 }, "VisibilityTimeout"},
		{"negative concurrency", func(c *Config) { c.Concurrency = -2 }, "Concurrency"},
		{"explicit region wins", func(c *Config) { c.QueueARN = "q"; c.Region = "us-east-1" }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.change(&c)
			_, err := New(c)
			switch {
			case tc.errHas == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)):
				t.Errorf("error %v, want one mentioning %s", err, tc.errHas)
			}
		})
	}
}

// TestBackoff checks the receive retry delays grow and are capped.
func TestBackoff(t *testing.T) {
	var b backoff
	var got []int64
	for range 8 {
		got = append(got, b.next().Milliseconds())
	}
	want := []int64{100, 200, 400, 800, 1600, 3200, 5000, 5000}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays %v, want %v", got, want)
		}
	}
	b.reset()
	if d := b.next().Milliseconds(); d != 100 {
		t.Errorf("after reset: %d ms, want 100", d)
	}
}
