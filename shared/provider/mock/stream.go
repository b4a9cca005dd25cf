package mock

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/shared/chat"
	"github.com/tollgate-dev/tollgate/shared/provider"
)

// Error types of mid-stream faults, as the openai adapter reports them.
const (
	typeStreamInterrupted = "stream_interrupted"
	typeServerError       = "server_error"
)

// midStreamMessage is the message of an injected mid-stream error event.
const midStreamMessage = "The server had an error while processing your request."

// chunks renders a generation as OpenAI streams it: per choice a role chunk,
// one chunk per piece (or the tool call's arguments), a finish chunk; then,
// if asked, the usage chunk with no choices.
func (m *Mock) chunks(g *generation, id string, created int64, model string, includeUsage bool) []*chat.Chunk {
	out := make([]*chat.Chunk, 0, chunkCount(g))
	add := func(choices []chat.ChunkChoice, usage *chat.Usage) {
		out = append(out, &chat.Chunk{ID: id, Object: "chat.completion.chunk", Created: created, Model: model, Choices: choices, Usage: usage})
	}
	one := func(i int, d chat.Delta, finish *string) []chat.ChunkChoice {
		return []chat.ChunkChoice{{Index: i, Delta: d, FinishReason: finish}}
	}
	for i, c := range g.choices {
		if c.tool != nil {
			at := 0
			head := chat.ToolCall{Index: &at, ID: c.tool.ID, Type: c.tool.Type, Function: chat.FunctionCall{Name: c.tool.Function.Name}}
			args := chat.ToolCall{Index: &at, Function: chat.FunctionCall{Arguments: c.tool.Function.Arguments}}
			add(one(i, chat.Delta{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{head}}, nil), nil)
			add(one(i, chat.Delta{ToolCalls: []chat.ToolCall{args}}, nil), nil)
		} else {
			empty := ""
			add(one(i, chat.Delta{Role: chat.RoleAssistant, Content: &empty}, nil), nil)
			for _, p := range c.pieces {
				add(one(i, chat.Delta{Content: &p}, nil), nil)
			}
		}
		finish := c.finish
		add(one(i, chat.Delta{}, &finish), nil)
	}
	if includeUsage {
		u := g.usage
		add([]chat.ChunkChoice{}, &u)
	}
	return out
}

// chunkCount is the number of chunks chunks returns with usage included.
func chunkCount(g *generation) int {
	n := 1
	for _, c := range g.choices {
		if c.tool != nil {
			n += 3
		} else {
			n += 2 + len(c.pieces)
		}
	}
	return n
}

// stream replays precomputed chunks, waiting between them and firing the
// configured fault at its index.
type stream struct {
	ctx    context.Context
	cancel context.CancelFunc
	chunks []*chat.Chunk
	next   int
	delay  time.Duration
	failAt int // -1 when off
	dropAt int // -1 when off
	err    error
}

// Recv returns the next chunk, then io.EOF; an injected fault or a done
// context ends the stream with an error instead.
func (s *stream) Recv() (*chat.Chunk, error) {
	if s.err != nil {
		return nil, s.err
	}
	switch {
	case s.next == s.failAt:
		s.err = &provider.Error{Provider: Name, StatusCode: http.StatusOK, Type: typeServerError, Message: midStreamMessage}
	case s.next == s.dropAt:
		s.err = &provider.Error{Provider: Name, StatusCode: http.StatusOK, Type: typeStreamInterrupted, Message: "stream ended before completion", Err: io.ErrUnexpectedEOF}
	case s.next == len(s.chunks):
		s.err = io.EOF
	case s.next > 0 && sleep(s.ctx, s.delay) != nil, s.ctx.Err() != nil:
		s.err = ctxError(s.ctx, http.StatusOK)
	}
	if s.err != nil {
		s.cancel()
		return nil, s.err
	}
	c := s.chunks[s.next]
	s.next++
	return c, nil
}

// Close ends the stream; it is safe to call more than once.
func (s *stream) Close() error {
	s.cancel()
	return nil
}
