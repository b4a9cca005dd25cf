package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/id"
	"github.com/tollgate-dev/tollgate/shared/sse"
)

// doneMarker is the data of OpenAI's documented last event.
var doneMarker = []byte("[DONE]")

// stream turns an upstream SSE body into canonical chunks.
//
// Usage is held back and emitted once, on a choice-less chunk just before
// the stream ends (normally or not): servers send it on its own chunk
// (OpenAI), on the last content chunk (vLLM, Ollama, Groq), or on every chunk
// as a running total (vLLM's continuous usage), and the latest report wins.
type stream struct {
	p      *Provider
	ctx    context.Context
	cancel context.CancelFunc
	body   io.ReadCloser
	events *sse.Reader
	key    string
	// reqModel names the stream when the upstream's chunks do not.
	reqModel string

	// id, created and model are fixed by the first chunk that carries them,
	// so every chunk of one stream agrees.
	id          string
	created     int64
	model       string
	fingerprint string
	started     bool

	usage *chat.Usage // reported but not yet emitted
	err   error       // terminal result, io.EOF after the end marker

	closeOnce sync.Once
}

// Recv returns the next chunk, the held-back usage chunk at the end, and
// then io.EOF after [DONE] or the error that broke the stream.
func (s *stream) Recv() (*chat.Chunk, error) {
	for s.err == nil {
		ev, err := s.events.Next()
		if err != nil {
			s.err = s.readError(err)
			break
		}
		if bytes.Equal(ev.Data, doneMarker) {
			s.err = io.EOF
			break
		}
		var c chunk
		if err := json.Unmarshal(ev.Data, &c); err != nil {
			s.err = s.p.invalidResponse(http.StatusOK, fmt.Errorf("decode chunk: %w", err))
			break
		}
		if d := detailOf(c.Error, &c.flatError); d != nil {
			s.err = s.p.eventError(http.StatusOK, d, s.key)
			break
		}
		s.remember(&c)
		if u := reportedUsage(c.Usage, c.XGroq); u != nil {
			s.usage = u
		}
		if len(c.Choices) == 0 {
			continue // a usage chunk, or Azure's prompt-filter chunk
		}
		return s.content(&c), nil
	}
	if s.usage != nil {
		u := s.usage
		s.usage = nil
		return s.usageChunk(u), nil
	}
	return nil, s.err
}

// Close cancels the upstream request if it is still running and releases
// the connection. It is safe to call more than once.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.body.Close()
	})
	return nil
}

// remember records the stream's identity from the first chunk that has it.
func (s *stream) remember(c *chunk) {
	if s.started {
		return
	}
	if s.id == "" {
		s.id = c.ID
	}
	if s.created == 0 {
		s.created = c.Created
	}
	if s.model == "" {
		s.model = c.Model
	}
	if c.SystemFingerprint != "" {
		s.fingerprint = c.SystemFingerprint
	}
}

// start fixes the identity on the first emitted chunk, filling what the
// upstream left out.
func (s *stream) start() {
	if s.started {
		return
	}
	s.started = true
	if s.id == "" {
		s.id = "chatcmpl-" + id.New("")
	}
	if s.created == 0 {
		s.created = s.p.now().UTC().Unix()
	}
	if s.model == "" {
		s.model = s.reqModel
	}
}

// content converts a chunk that has choices.
func (s *stream) content(c *chunk) *chat.Chunk {
	s.start()
	for i := range c.Choices {
		ch := &c.Choices[i]
		if ch.FinishReason != nil {
			r := finishReason(*ch.FinishReason)
			ch.FinishReason = &r
		}
		ch.Logprobs = nonNull(ch.Logprobs)
	}
	return &chat.Chunk{
		ID:                s.id,
		Object:            "chat.completion.chunk",
		Created:           s.created,
		Model:             s.model,
		Choices:           c.Choices,
		SystemFingerprint: s.fingerprint,
	}
}

// usageChunk is the include_usage-shaped final chunk.
func (s *stream) usageChunk(u *chat.Usage) *chat.Chunk {
	s.start()
	return &chat.Chunk{
		ID:                s.id,
		Object:            "chat.completion.chunk",
		Created:           s.created,
		Model:             s.model,
		Choices:           []chat.ChunkChoice{},
		Usage:             u,
		SystemFingerprint: s.fingerprint,
	}
}

// readError classifies a failure to read the next event. A body that ends
// without [DONE], cleanly or not, was cut off.
func (s *stream) readError(err error) error {
	switch {
	case isTimeout(s.ctx, err):
		e := s.p.transportError(s.ctx, http.StatusOK, err)
		e.Timeout = true
		return e
	case errors.Is(err, sse.ErrEventTooLarge):
		return s.p.invalidResponse(http.StatusOK, err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return s.p.interrupted(io.ErrUnexpectedEOF)
	}
	return s.p.interrupted(err)
}
