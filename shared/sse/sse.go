// Package sse reads and writes Server-Sent Events (the text/event-stream
// format of the WHATWG HTML standard) as OpenAI, Anthropic and Gemini stream
// them: events split across reads, CRLF or LF line ends, comment lines used as
// keep-alives, multi-line data fields.
package sse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Event is one dispatched event. Data joins multiple data lines with "\n".
type Event struct {
	Event string
	Data  []byte
	ID    string
}

// MaxEventSize bounds one event, so a misbehaving upstream cannot make the
// gateway buffer without limit.
const MaxEventSize = 4 << 20

// ErrEventTooLarge is returned when an event exceeds MaxEventSize.
var ErrEventTooLarge = errors.New("sse: event exceeds size limit")

// Reader parses events from a stream.
type Reader struct {
	r    *bufio.Reader
	data bytes.Buffer
}

// NewReader returns a Reader over r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 32<<10)}
}

// Next returns the next event. Comment lines and events with no data are
// skipped. At a clean end of input it returns io.EOF; input that ends in the
// middle of an event returns io.ErrUnexpectedEOF, so a dropped connection is
// never mistaken for a complete stream.
func (r *Reader) Next() (Event, error) {
	var ev Event
	r.data.Reset()
	sawField := false
	for {
		line, err := r.readLine()
		if err != nil {
			if err == io.EOF && (sawField || r.data.Len() > 0) {
				return Event{}, io.ErrUnexpectedEOF
			}
			return Event{}, err
		}
		if len(line) == 0 { // blank line: dispatch
			if r.data.Len() == 0 {
				sawField = false
				ev = Event{}
				continue
			}
			ev.Data = bytes.TrimSuffix(append([]byte(nil), r.data.Bytes()...), []byte("\n"))
			return ev, nil
		}
		if line[0] == ':' { // comment / keep-alive
			continue
		}
		sawField = true
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "data":
			if r.data.Len()+len(value)+1 > MaxEventSize {
				return Event{}, ErrEventTooLarge
			}
			r.data.Write(value)
			r.data.WriteByte('\n')
		case "event":
			ev.Event = string(value)
		case "id":
			ev.ID = string(value)
		}
	}
}

// readLine returns one line without its terminator (LF, CRLF or CR).
func (r *Reader) readLine() ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > MaxEventSize {
			return nil, ErrEventTooLarge
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		return line, nil
	}
}

// WriteData writes one "data:" event. data must not contain newlines
// (compact JSON never does).
func WriteData(w io.Writer, data []byte) error {
	if bytes.IndexByte(data, '\n') >= 0 {
		return fmt.Errorf("sse: data contains a newline")
	}
	buf := make([]byte, 0, len(data)+8)
	buf = append(buf, "data: "...)
	buf = append(buf, data...)
	buf = append(buf, "\n\n"...)
	_, err := w.Write(buf)
	return err
}
