package lambdaruntime

import (
	"errors"
	"io"
	"sync"
)

// maxBuffered is how much of a response the server holds for an invoker
// that reads slower than the function writes; past it the function's POST
// waits, as Lambda applies back-pressure.
const maxBuffered = 16 << 20

var errInvokerClosed = errors.New("lambdaruntime: invoker closed the response body")

// chunkQueue carries a response from the function's POST to the invoker one
// received read at a time, so chunk boundaries survive: a Read never returns
// bytes from two chunks. One writer and one reader.
type chunkQueue struct {
	mu      sync.Mutex
	cond    *sync.Cond
	chunks  [][]byte
	size    int
	ended   bool  // the writer finished
	err     error // why it finished; nil means io.EOF
	dropped bool  // the reader closed
}

func newChunkQueue() *chunkQueue {
	q := &chunkQueue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push appends a copy of b, waiting while the buffer is full.
func (q *chunkQueue) push(b []byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.size >= maxBuffered && !q.dropped && !q.ended {
		q.cond.Wait()
	}
	if q.dropped {
		return errInvokerClosed
	}
	if q.ended {
		return q.err
	}
	q.chunks = append(q.chunks, append([]byte(nil), b...))
	q.size += len(b)
	q.cond.Broadcast()
	return nil
}

// end marks the stream finished; err (nil for a clean end) reaches the
// reader after the buffered chunks. Only the first call counts.
func (q *chunkQueue) end(err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.ended {
		q.ended, q.err = true, err
		q.cond.Broadcast()
	}
}

// Read returns the rest of the oldest chunk, up to len(p).
func (q *chunkQueue) Read(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.chunks) == 0 && !q.ended && !q.dropped {
		q.cond.Wait()
	}
	if q.dropped {
		return 0, io.ErrClosedPipe
	}
	if len(q.chunks) == 0 {
		if q.err != nil {
			return 0, q.err
		}
		return 0, io.EOF
	}
	n := copy(p, q.chunks[0])
	q.chunks[0] = q.chunks[0][n:]
	if len(q.chunks[0]) == 0 {
		q.chunks[0] = nil
		q.chunks = q.chunks[1:]
	}
	q.size -= n
	q.cond.Broadcast()
	return n, nil
}

// drop discards everything and makes later reads and pushes fail.
func (q *chunkQueue) drop() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.dropped = true
	q.chunks, q.size = nil, 0
	q.cond.Broadcast()
}
