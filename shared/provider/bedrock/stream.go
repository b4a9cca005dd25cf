package bedrock

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// errClosed is returned by Recv after Close.
var errClosed = errors.New("bedrock: stream closed")

// stream turns ConverseStream events into chunks.
//
// A complete stream is messageStart, content blocks, messageStop (with the
// stop reason) and metadata (with usage), then the event stream closes.
// The SDK reports a connection that drops, even mid-frame, as an ordinary
// close, so a close is a normal end only when both messageStop and metadata
// were seen; otherwise the stream was interrupted. An exception event
// (throttlingException, modelStreamErrorException, …) ends the stream with
// that error; the SDK stops delivering events as soon as it reads one, so
// the event just before it may not be seen.
type stream struct {
	ctx     context.Context
	cancel  context.CancelFunc
	events  *bedrockruntime.ConverseStreamEventStream
	secrets []string

	id      string
	model   string
	created int64

	tools    map[int32]int // content block index → tool call index
	sawStop  bool
	sawUsage bool
	err      error // sticky: once set, every Recv returns it

	closed    atomic.Bool
	closeOnce sync.Once
}

func newStream(ctx context.Context, cancel context.CancelFunc, es *bedrockruntime.ConverseStreamEventStream,
	id, model string, created int64, secrets []string) *stream {
	return &stream{ctx: ctx, cancel: cancel, events: es, secrets: secrets,
		id: id, model: model, created: created, tools: make(map[int32]int)}
}

// Recv returns the next chunk, or io.EOF after the normal end.
func (s *stream) Recv() (*chat.Chunk, error) {
	if s.err != nil {
		return nil, s.err
	}
	for {
		if s.closed.Load() {
			return nil, s.fail(errClosed)
		}
		ev, ok := <-s.events.Events()
		if !ok {
			return nil, s.fail(s.end())
		}
		if c := s.chunk(ev); c != nil {
			return c, nil
		}
	}
}

// end decides how a closed event stream ended.
func (s *stream) end() error {
	if s.closed.Load() {
		return errClosed
	}
	if err := s.events.Err(); err != nil {
		return streamError(s.ctx, err, s.secrets)
	}
	if !s.sawStop || !s.sawUsage {
		return interrupted(s.ctx, io.ErrUnexpectedEOF)
	}
	return io.EOF
}

func (s *stream) fail(err error) error {
	s.err = err
	return err
}

// chunk converts one event, or returns nil for events that carry nothing
// for the client (block stops, reasoning, unknown events).
func (s *stream) chunk(ev types.ConverseStreamOutput) *chat.Chunk {
	switch v := ev.(type) {
	case *types.ConverseStreamOutputMemberMessageStart:
		return s.delta(chat.Delta{Role: chat.RoleAssistant}, "")
	case *types.ConverseStreamOutputMemberContentBlockStart:
		tu, ok := v.Value.Start.(*types.ContentBlockStartMemberToolUse)
		if !ok {
			return nil
		}
		n := len(s.tools)
		s.tools[deref32(v.Value.ContentBlockIndex)] = n
		return s.delta(chat.Delta{ToolCalls: []chat.ToolCall{{
			Index:    &n,
			ID:       deref(tu.Value.ToolUseId),
			Type:     "function",
			Function: chat.FunctionCall{Name: deref(tu.Value.Name)},
		}}}, "")
	case *types.ConverseStreamOutputMemberContentBlockDelta:
		return s.blockDelta(v.Value)
	case *types.ConverseStreamOutputMemberMessageStop:
		s.sawStop = true
		return s.delta(chat.Delta{}, finishReason(v.Value.StopReason))
	case *types.ConverseStreamOutputMemberMetadata:
		s.sawUsage = true
		if v.Value.Usage == nil {
			return nil
		}
		return &chat.Chunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model,
			Choices: []chat.ChunkChoice{}, Usage: usage(v.Value.Usage)}
	}
	return nil
}

// blockDelta converts text and tool-input deltas.
func (s *stream) blockDelta(e types.ContentBlockDeltaEvent) *chat.Chunk {
	switch d := e.Delta.(type) {
	case *types.ContentBlockDeltaMemberText:
		if d.Value == "" {
			return nil
		}
		text := d.Value
		return s.delta(chat.Delta{Content: &text}, "")
	case *types.ContentBlockDeltaMemberToolUse:
		n, ok := s.tools[deref32(e.ContentBlockIndex)]
		if !ok || d.Value.Input == nil || *d.Value.Input == "" {
			return nil
		}
		return s.delta(chat.Delta{ToolCalls: []chat.ToolCall{{
			Index:    &n,
			Function: chat.FunctionCall{Arguments: *d.Value.Input},
		}}}, "")
	}
	return nil
}

// delta wraps a delta as the stream's one choice.
func (s *stream) delta(d chat.Delta, reason string) *chat.Chunk {
	cc := chat.ChunkChoice{Delta: d}
	if reason != "" {
		cc.FinishReason = &reason
	}
	return &chat.Chunk{ID: s.id, Object: "chat.completion.chunk", Created: s.created, Model: s.model,
		Choices: []chat.ChunkChoice{cc}}
}

// Close cancels the request and releases the event stream; it is safe to
// call twice.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.cancel()
		_ = s.events.Close()
	})
	return nil
}
