package lambdaruntime

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestNextDeliversTheEventWithItsHeaders(t *testing.T) {
	s := startServer(t)
	c := newRuntimeClient(s)
	ctx := guard(t)
	deadline, _ := ctx.Deadline()
	payload := []byte(`{"path":"/v1/models"}`)
	res := invokeAsync(ctx, s, payload)

	resp, body, err := c.next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, payload) {
		t.Errorf("payload %q, want %q", body, payload)
	}
	id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
	checks := []struct{ header, pattern string }{
		{"Lambda-Runtime-Aws-Request-Id", `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
		{"Lambda-Runtime-Deadline-Ms", `^` + strconv.FormatInt(deadline.UnixMilli(), 10) + `$`},
		{"Lambda-Runtime-Invoked-Function-Arn", `^` + regexp.QuoteMeta(FunctionARN) + `$`},
		{"Lambda-Runtime-Trace-Id", `^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`},
		{"Content-Type", `^application/json$`},
	}
	for _, ch := range checks {
		if v := resp.Header.Get(ch.header); !regexp.MustCompile(ch.pattern).MatchString(v) {
			t.Errorf("%s = %q, want %s", ch.header, v, ch.pattern)
		}
	}

	code, err := c.post(ctx, responsePath(id), strings.NewReader(`{"ok":true}`), http.Header{"Content-Type": {"application/json"}}, nil)
	if err != nil || code != http.StatusAccepted {
		t.Fatalf("post response: %d %v", code, err)
	}
	r := recv(t, res, "invoke")
	if r.err != nil {
		t.Fatal(r.err)
	}
	got, err := io.ReadAll(r.inv.Body)
	if err != nil || string(got) != `{"ok":true}` {
		t.Fatalf("body %q, %v", got, err)
	}
	if r.inv.RequestID != id || r.inv.ContentType != "application/json" || r.inv.Err() != nil {
		t.Errorf("invocation %+v, err %v", r.inv, r.inv.Err())
	}
}

func TestResponseStreamsAndReportsTrailers(t *testing.T) {
	errDoc := []byte(`{"errorMessage":"handler panicked after the response started","errorType":"panicAfterStartError"}`)
	tests := []struct {
		name    string
		trailer http.Header // values set once the body is written
		wantErr *FunctionError
	}{
		{name: "clean end"},
		{
			name: "error trailers",
			trailer: http.Header{
				trailerErrorType: {"panicAfterStartError"},
				trailerErrorBody: {base64.StdEncoding.EncodeToString(errDoc)},
			},
			wantErr: &FunctionError{Type: "panicAfterStartError", Message: "handler panicked after the response started", Payload: errDoc},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t)
			c := newRuntimeClient(s)
			ctx := guard(t)
			res := invokeAsync(ctx, s, []byte(`{}`))
			id, _ := mustNext(t, ctx, c)

			chunks := []string{"prelude\x00\x00", "data: one\n\n", "data: two\n\n"}
			body, feed := io.Pipe()
			trailer := http.Header{trailerErrorType: nil, trailerErrorBody: nil}
			step := make(chan struct{})
			go func() {
				for _, ch := range chunks {
					<-step
					if _, err := io.WriteString(feed, ch); err != nil {
						return
					}
				}
				<-step
				for k, v := range tt.trailer {
					trailer[k] = v
				}
				_ = feed.Close()
			}()
			posted := make(chan error, 1)
			go func() {
				code, err := c.post(ctx, responsePath(id), body,
					http.Header{"Content-Type": {"application/vnd.awslambda.http-integration-response"}}, trailer)
				if err == nil && code != http.StatusAccepted {
					err = errors.New("status " + strconv.Itoa(code))
				}
				posted <- err
			}()

			// Each chunk is read before the next one is sent.
			step <- struct{}{}
			r := recv(t, res, "invoke")
			if r.err != nil {
				t.Fatal(r.err)
			}
			if r.inv.ContentType != "application/vnd.awslambda.http-integration-response" {
				t.Errorf("content type %q", r.inv.ContentType)
			}
			for i, want := range chunks {
				if i > 0 {
					step <- struct{}{}
				}
				got := make([]byte, len(want))
				if _, err := io.ReadFull(r.inv.Body, got); err != nil || string(got) != want {
					t.Fatalf("chunk %d = %q, %v; want %q", i, got, err, want)
				}
				if err := r.inv.Err(); !errors.Is(err, ErrIncomplete) {
					t.Fatalf("Err before the end = %v", err)
				}
			}
			step <- struct{}{}
			if rest, err := io.ReadAll(r.inv.Body); err != nil || len(rest) != 0 {
				t.Fatalf("after the last chunk: %q, %v", rest, err)
			}
			if err := recv(t, posted, "post"); err != nil {
				t.Fatalf("post: %v", err)
			}
			err := r.inv.Err()
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Err = %v", err)
				}
				return
			}
			var fe *FunctionError
			if !errors.As(err, &fe) || fe.Type != tt.wantErr.Type || fe.Message != tt.wantErr.Message || !bytes.Equal(fe.Payload, tt.wantErr.Payload) {
				t.Fatalf("Err = %#v, want %#v", err, tt.wantErr)
			}
		})
	}
}

func TestErrorEndpoints(t *testing.T) {
	doc := `{"errorMessage":"bad input","errorType":"ValidationError","stackTrace":[]}`
	tests := []struct {
		name       string
		headerType string
		wantType   string
	}{
		{"type from the document", "", "ValidationError"},
		{"type header wins", "Runtime.Unknown", "Runtime.Unknown"},
	}
	for _, tt := range tests {
		t.Run("invocation "+tt.name, func(t *testing.T) {
			s := startServer(t)
			c := newRuntimeClient(s)
			ctx := guard(t)
			res := invokeAsync(ctx, s, []byte(`{}`))
			id, _ := mustNext(t, ctx, c)
			h := http.Header{"Content-Type": {"application/json"}}
			if tt.headerType != "" {
				h.Set(headerErrorType, tt.headerType)
			}
			code, err := c.post(ctx, "/invocation/"+id+"/error", strings.NewReader(doc), h, nil)
			if err != nil || code != http.StatusAccepted {
				t.Fatalf("post error: %d %v", code, err)
			}
			r := recv(t, res, "invoke")
			if r.err != nil {
				t.Fatal(r.err)
			}
			if b, _ := io.ReadAll(r.inv.Body); len(b) != 0 {
				t.Errorf("error invocation has body %q", b)
			}
			var fe *FunctionError
			if !errors.As(r.inv.Err(), &fe) || fe.Type != tt.wantType || fe.Message != "bad input" || string(fe.Payload) != doc {
				t.Fatalf("Err = %#v", r.inv.Err())
			}
		})
		t.Run("init "+tt.name, func(t *testing.T) {
			s := startServer(t)
			c := newRuntimeClient(s)
			ctx := guard(t)
			h := http.Header{}
			if tt.headerType != "" {
				h.Set(headerErrorType, tt.headerType)
			}
			code, err := c.post(ctx, "/init/error", strings.NewReader(doc), h, nil)
			if err != nil || code != http.StatusAccepted {
				t.Fatalf("post init error: %d %v", code, err)
			}
			var fe *FunctionError
			if _, err := s.WaitReady(ctx); !errors.As(err, &fe) || fe.Type != tt.wantType {
				t.Fatalf("WaitReady = %v", err)
			}
			if _, err := s.Invoke(ctx, []byte(`{}`)); !errors.As(err, &fe) {
				t.Fatalf("Invoke after init error = %v", err)
			}
		})
	}
}

func TestAnswersAreAcceptedOnce(t *testing.T) {
	s := startServer(t)
	c := newRuntimeClient(s)
	ctx := guard(t)
	res := invokeAsync(ctx, s, []byte(`{}`))
	id, _ := mustNext(t, ctx, c)
	steps := []struct {
		path string
		want int
	}{
		{"/invocation/00000000-0000-4000-8000-000000000000/response", http.StatusBadRequest},
		{responsePath(id), http.StatusAccepted},
		{responsePath(id), http.StatusBadRequest},
		{"/invocation/" + id + "/error", http.StatusBadRequest},
	}
	for i, st := range steps {
		code, err := c.post(ctx, st.path, strings.NewReader("x"), nil, nil)
		if err != nil || code != st.want {
			t.Fatalf("step %d %s: %d %v, want %d", i, st.path, code, err, st.want)
		}
		if i == 1 {
			r := recv(t, res, "invoke")
			if r.err != nil {
				t.Fatal(r.err)
			}
			_, _ = io.ReadAll(r.inv.Body)
		}
	}
}

func TestWaitReadyReportsTheFirstPoll(t *testing.T) {
	s := startServer(t)
	c := newRuntimeClient(s)
	ctx := guard(t)
	before := time.Now()
	polled := make(chan error, 1)
	pollCtx, stopPoll := context.WithCancel(ctx)
	go func() { _, _, err := c.next(pollCtx); polled <- err }()
	ready, err := s.WaitReady(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ready.Before(before) || ready.After(time.Now()) {
		t.Errorf("ready at %v, not between start %v and now", ready, before)
	}
	again, err := s.WaitReady(ctx)
	if err != nil || !again.Equal(ready) {
		t.Errorf("second WaitReady = %v, %v; want the first poll %v", again, err, ready)
	}
	stopPoll()
	if err := recv(t, polled, "poll end"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled poll returned %v", err)
	}
}

func TestInvokeGivesUp(t *testing.T) {
	t.Run("nobody polls", func(t *testing.T) {
		s := startServer(t)
		ctx, cancel := context.WithCancel(guard(t))
		cancel()
		if _, err := s.Invoke(ctx, []byte(`{}`)); !errors.Is(err, context.Canceled) {
			t.Fatalf("Invoke = %v", err)
		}
	})
	t.Run("function answers after the invoker left", func(t *testing.T) {
		s := startServer(t)
		c := newRuntimeClient(s)
		ctx := guard(t)
		invCtx, cancel := context.WithCancel(ctx)
		res := invokeAsync(invCtx, s, []byte(`{}`))
		id, _ := mustNext(t, ctx, c)
		cancel()
		if r := recv(t, res, "invoke"); !errors.Is(r.err, context.Canceled) {
			t.Fatalf("Invoke = %v", r.err)
		}
		code, err := c.post(ctx, responsePath(id), strings.NewReader("late"), nil, nil)
		if err != nil || code != http.StatusAccepted {
			t.Fatalf("late response: %d %v", code, err)
		}
	})
	t.Run("server closes", func(t *testing.T) {
		s := startServer(t)
		ctx := guard(t)
		res := invokeAsync(ctx, s, []byte(`{}`))
		ready := make(chan error, 1)
		go func() { _, err := s.WaitReady(ctx); ready <- err }()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if r := recv(t, res, "invoke"); !errors.Is(r.err, ErrClosed) {
			t.Errorf("Invoke = %v", r.err)
		}
		if err := recv(t, ready, "WaitReady"); !errors.Is(err, ErrClosed) {
			t.Errorf("WaitReady = %v", err)
		}
	})
}

func TestClosingTheBodyFailsTheFunctionsPost(t *testing.T) {
	s := startServer(t)
	c := newRuntimeClient(s)
	ctx := guard(t)
	res := invokeAsync(ctx, s, []byte(`{}`))
	id, _ := mustNext(t, ctx, c)

	body, feed := io.Pipe()
	go func() { _, _ = io.WriteString(feed, "data: one\n\n") }()
	posted := make(chan error, 1)
	go func() {
		_, err := c.post(ctx, responsePath(id), body, nil, nil)
		posted <- err
	}()
	r := recv(t, res, "invoke")
	if r.err != nil {
		t.Fatal(r.err)
	}
	got := make([]byte, len("data: one\n\n"))
	if _, err := io.ReadFull(r.inv.Body, got); err != nil {
		t.Fatal(err)
	}
	if err := r.inv.Body.Close(); err != nil {
		t.Fatal(err)
	}
	// A Go client notices the closed connection once it next touches the
	// body; ending the body is such a touch.
	_ = feed.Close()
	if err := recv(t, posted, "post end"); err == nil {
		t.Fatal("the function's POST succeeded after the invoker closed the body")
	}
	if _, err := r.inv.Body.Read(make([]byte, 1)); err == nil {
		t.Fatal("read after close succeeded")
	}
}
