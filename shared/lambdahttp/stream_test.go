package lambdahttp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// readEvent reads one server-sent event, up to and including its blank line.
func readEvent(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			return b.String(), err
		}
		if line == "\n" {
			return b.String(), nil
		}
	}
}

func TestFlushStreamsEachEvent(t *testing.T) {
	flushers := []struct {
		name  string
		flush func(w http.ResponseWriter) error
	}{
		{"http.Flusher", func(w http.ResponseWriter) error { w.(http.Flusher).Flush(); return nil }},
		{"http.ResponseController", func(w http.ResponseWriter) error { return http.NewResponseController(w).Flush() }},
	}
	for _, f := range flushers {
		t.Run(f.name, func(t *testing.T) {
			const events = 3
			// step[i] lets the handler write event i; the test sends it only
			// after it has read event i-1, so each event is observed before
			// the next one exists.
			step := make(chan struct{})
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				w.WriteHeader(http.StatusOK)
				for i := range events {
					select {
					case <-step:
					case <-r.Context().Done():
						return
					}
					fmt.Fprintf(w, "data: {\"n\":%d}\n\n", i)
					if err := f.flush(w); err != nil {
						t.Errorf("flush %d: %v", i, err)
					}
				}
			})
			resp, err := Handler(h, Options{})(t.Context(), event("POST", "/v1/chat/completions"))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Close()

			r := bufio.NewReader(resp)
			p := readPrelude(t, r)
			if p.StatusCode != http.StatusOK || p.Headers["content-type"] != "text/event-stream" {
				t.Fatalf("prelude %+v", p)
			}
			got := make(chan string)
			go func() {
				defer close(got)
				for {
					ev, err := readEvent(r)
					if err != nil {
						if ev != "" || !errors.Is(err, io.EOF) {
							got <- fmt.Sprintf("read error after %q: %v", ev, err)
						}
						return
					}
					got <- ev
				}
			}()
			for i := range events {
				step <- struct{}{}
				want := fmt.Sprintf("data: {\"n\":%d}\n\n", i)
				if ev := recv(t, got, fmt.Sprintf("event %d", i)); ev != want {
					t.Fatalf("event %d = %q, want %q", i, ev, want)
				}
			}
			if ev, ok := <-got; ok {
				t.Fatalf("unexpected trailing data %q", ev)
			}
		})
	}
}

func TestClosingTheStreamCancelsTheHandler(t *testing.T) {
	tests := []struct {
		name string
		// after runs once the runtime has stopped reading and the handler's
		// context is done; it returns the error the handler's output gets.
		after func(w http.ResponseWriter) error
	}{
		{"small write", func(w http.ResponseWriter) error { _, err := io.WriteString(w, "data: late\n\n"); return err }},
		{"write over the buffer", func(w http.ResponseWriter) error {
			_, err := w.Write(make([]byte, 2*bufferSize))
			return err
		}},
		{"flush", func(w http.ResponseWriter) error { return http.NewResponseController(w).Flush() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type outcome struct{ cause, writeErr error }
			started := make(chan struct{})
			done := make(chan outcome, 1)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				_, _ = io.WriteString(w, "data: first\n\n")
				w.(http.Flusher).Flush()
				close(started)
				<-r.Context().Done()
				done <- outcome{context.Cause(r.Context()), tt.after(w)}
			})
			resp, err := Handler(h, Options{})(t.Context(), event("POST", "/v1/chat/completions"))
			if err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(resp)
			readPrelude(t, r)
			if ev, err := readEvent(r); err != nil || ev != "data: first\n\n" {
				t.Fatalf("first event %q, %v", ev, err)
			}
			recv(t, started, "handler start")
			if err := resp.Close(); err != nil {
				t.Fatalf("close: %v", err)
			}
			got := recv(t, done, "handler cancellation")
			if !errors.Is(got.cause, ErrStreamClosed) {
				t.Errorf("context cause %v, want ErrStreamClosed", got.cause)
			}
			if !errors.Is(got.writeErr, ErrStreamClosed) {
				t.Errorf("output after close returned %v, want ErrStreamClosed", got.writeErr)
			}
		})
	}
}

// A runtime that stops reading while the handler is blocked handing bytes
// over must unblock it with an error.
func TestClosingUnblocksAPendingFlush(t *testing.T) {
	flushed := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "data: never read\n\n")
		flushed <- http.NewResponseController(w).Flush()
	})
	resp, err := Handler(h, Options{})(t.Context(), event("POST", "/v1/chat/completions"))
	if err != nil {
		t.Fatal(err)
	}
	readPrelude(t, bufio.NewReader(resp))
	if err := resp.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := recv(t, flushed, "flush return"); !errors.Is(err, ErrStreamClosed) {
		t.Fatalf("flush returned %v, want ErrStreamClosed", err)
	}
}
