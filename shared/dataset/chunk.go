package dataset

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// ChunkBytes bounds one chunk's plaintext (256 KiB). Sealed and base64
// encoded it is about 342 KiB, under DynamoDB's 400 KB item limit with room
// for the keys, and a chunk is read in one Query page.
const ChunkBytes = 256 << 10

// MaxStoredBytes bounds a dataset's canonical encoding. Re-encoding can grow
// text (U+2028 is written as \u2028) but never beyond twice the upload.
const MaxStoredBytes = 2 * MaxBytes

// packed is a dataset's canonical encoding split into chunks.
type packed struct {
	chunks [][]byte
	bytes  int64
	sha256 string
}

// pack encodes items canonically — one compact JSON object a line, map keys
// sorted, HTML characters unescaped — and splits the lines into chunks of at
// most ChunkBytes. The sha256 covers the concatenated chunks, so the same
// items always hash the same.
func pack(items []Item) (packed, error) {
	var p packed
	h := sha256.New()
	var cur bytes.Buffer
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	for i, it := range items {
		line.Reset()
		if enc.Encode(it) != nil { // Encode ends the line with '\n'
			return packed{}, fmt.Errorf("item %d does not encode", i)
		}
		if line.Len() > ChunkBytes {
			return packed{}, fmt.Errorf("item %d encodes to %d bytes, over a chunk", i, line.Len())
		}
		if cur.Len()+line.Len() > ChunkBytes {
			p.chunks = append(p.chunks, bytes.Clone(cur.Bytes()))
			cur.Reset()
		}
		cur.Write(line.Bytes())
		h.Write(line.Bytes())
		p.bytes += int64(line.Len())
	}
	if cur.Len() > 0 {
		p.chunks = append(p.chunks, bytes.Clone(cur.Bytes()))
	}
	p.sha256 = hex.EncodeToString(h.Sum(nil))
	return p, nil
}

// unpack decodes one chunk's lines, refusing anything pack would not write.
func unpack(chunk []byte) ([]Item, error) {
	var out []Item
	dec := json.NewDecoder(bytes.NewReader(chunk))
	dec.DisallowUnknownFields()
	for dec.More() {
		var it Item
		if dec.Decode(&it) != nil {
			// The decoder's error would quote the chunk's text; say only where.
			return nil, fmt.Errorf("item %d does not decode", len(out))
		}
		out = append(out, it)
	}
	return out, nil
}
