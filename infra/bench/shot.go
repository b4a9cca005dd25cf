package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// maxErrorBody bounds how much of a failed answer an error quotes.
const maxErrorBody = 300

// chatBody is the request every target gets: the same prompt and output
// ceiling, streamed or not.
func chatBody(model string, maxTokens int, stream bool) []byte {
	body := map[string]any{
		"model":      model,
		"max_tokens": maxTokens,
		"messages":   []map[string]string{{"role": "user", "content": "hello"}},
	}
	if stream {
		body["stream"] = true
		body["stream_options"] = map[string]bool{"include_usage": true}
	}
	b, _ := json.Marshal(body) // a map of strings, ints and bools always encodes
	return b
}

// newRequest builds the POST for one endpoint.
func newRequest(ctx context.Context, ep Endpoint, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	for k, v := range ep.Header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// CompleteShot measures one non-streamed chat completion: from sending the
// request to having read the whole answer, which must be a 200 carrying
// choices.
func CompleteShot(ep Endpoint, maxTokens int) Shot {
	body := chatBody(ep.Model, maxTokens, false)
	return func(ctx context.Context, client *http.Client) (Sample, error) {
		req, err := newRequest(ctx, ep, body)
		if err != nil {
			return Sample{}, err
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return Sample{}, fmt.Errorf("send: %w", err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		elapsed := time.Since(start)
		if err != nil {
			return Sample{}, fmt.Errorf("read answer: %w", err)
		}
		if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`"choices"`)) {
			return Sample{}, fmt.Errorf("status %d: %s", resp.StatusCode, clip(b))
		}
		return Sample{Latency: elapsed}, nil
	}
}

// StreamShot measures one streamed chat completion: the time to the first
// SSE data event, the gaps between data events, and the time to [DONE].
// The body is then read to its end so the connection is reused.
func StreamShot(ep Endpoint, maxTokens int) Shot {
	body := chatBody(ep.Model, maxTokens, true)
	return func(ctx context.Context, client *http.Client) (Sample, error) {
		req, err := newRequest(ctx, ep, body)
		if err != nil {
			return Sample{}, err
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return Sample{}, fmt.Errorf("send: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
			return Sample{}, fmt.Errorf("status %d: %s", resp.StatusCode, clip(b))
		}
		s, err := readEvents(resp.Body, start)
		if err != nil {
			return Sample{}, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return s, nil
	}
}

// readEvents reads SSE data events until [DONE], timing each on arrival.
func readEvents(body io.Reader, start time.Time) (Sample, error) {
	r := bufio.NewReader(body)
	var (
		s        Sample
		last     time.Time
		data     bool
		events   int
		errEvent []byte
	)
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			return Sample{}, fmt.Errorf("stream ended after %d events without [DONE]: %w", events, errors.Join(err, eventError(errEvent)))
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case bytes.Equal(line, []byte("data: [DONE]")):
			s.Latency = time.Since(start)
			if events == 0 {
				return Sample{}, errors.New("stream had no data events")
			}
			return s, nil
		case bytes.HasPrefix(line, []byte("data:")):
			data = true
			if bytes.Contains(line, []byte(`"error"`)) {
				errEvent = bytes.Clone(line)
			}
		case len(line) == 0 && data:
			now := time.Now()
			if events == 0 {
				s.TTFB = now.Sub(start)
			} else {
				s.Gaps = append(s.Gaps, now.Sub(last))
			}
			last, data = now, false
			events++
		}
	}
}

func eventError(ev []byte) error {
	if ev == nil {
		return nil
	}
	return fmt.Errorf("error event %s", clip(ev))
}

// clip bounds a body quoted in an error.
func clip(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > maxErrorBody {
		return string(b[:maxErrorBody]) + "…"
	}
	return string(b)
}
