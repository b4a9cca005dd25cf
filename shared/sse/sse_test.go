package sse

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func collect(t *testing.T, r io.Reader) ([]Event, error) {
	t.Helper()
	sr := NewReader(r)
	var out []Event
	for {
		ev, err := sr.Next()
		if err != nil {
			return out, err
		}
		out = append(out, ev)
	}
}

func TestReader(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    []string // data of each event
		events  []string
		wantErr error
	}{
		{"openai", "data: {\"a\":1}\n\ndata: {\"a\":2}\n\ndata: [DONE]\n\n", []string{`{"a":1}`, `{"a":2}`, "[DONE]"}, nil, io.EOF},
		{"crlf", "data: x\r\n\r\ndata: y\r\n\r\n", []string{"x", "y"}, nil, io.EOF},
		{"keepalive comments", ": ping\n\ndata: x\n\n: ping\n\n", []string{"x"}, nil, io.EOF},
		{"named events", "event: message_start\ndata: {}\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\n", []string{"{}", `{"type":"ping"}`}, []string{"message_start", "ping"}, io.EOF},
		{"multi-line data", "data: a\ndata: b\n\n", []string{"a\nb"}, nil, io.EOF},
		{"no space after colon", "data:x\n\n", []string{"x"}, nil, io.EOF},
		{"dropped mid-event", "data: x\n\ndata: {\"a\"", []string{"x"}, nil, io.ErrUnexpectedEOF},
		{"dropped before blank line", "data: x\n\ndata: y\n", []string{"x"}, nil, io.ErrUnexpectedEOF},
		{"empty", "", nil, nil, io.EOF},
	}
	for _, c := range cases {
		for _, split := range []bool{false, true} {
			var r io.Reader = strings.NewReader(c.in)
			if split {
				r = iotest.OneByteReader(r) // every event split mid-line
			}
			got, err := collect(t, r)
			if !errors.Is(err, c.wantErr) {
				t.Errorf("%s (split=%v): err %v, want %v", c.name, split, err, c.wantErr)
			}
			if len(got) != len(c.want) {
				t.Fatalf("%s (split=%v): got %d events %q, want %d", c.name, split, len(got), got, len(c.want))
			}
			for i := range got {
				if string(got[i].Data) != c.want[i] {
					t.Errorf("%s: event %d data %q want %q", c.name, i, got[i].Data, c.want[i])
				}
				if c.events != nil && got[i].Event != c.events[i] {
					t.Errorf("%s: event %d name %q want %q", c.name, i, got[i].Event, c.events[i])
				}
			}
		}
	}
}

func TestReaderBoundsEventSize(t *testing.T) {
	huge := "data: " + strings.Repeat("x", MaxEventSize+10) + "\n\n"
	_, err := NewReader(strings.NewReader(huge)).Next()
	if !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("got %v", err)
	}
}

func TestWriteData(t *testing.T) {
	var b strings.Builder
	if err := WriteData(&b, []byte(`{"x":1}`)); err != nil {
		t.Fatal(err)
	}
	if b.String() != "data: {\"x\":1}\n\n" {
		t.Fatalf("got %q", b.String())
	}
	if err := WriteData(&b, []byte("a\nb")); err == nil {
		t.Fatal("newline accepted")
	}
}
