package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// meter sits between a gateway and the enforcing endpoint and records every
// AWS call: its operation and round trip, and for DynamoDB each item it
// writes or reads, so capacity units can be counted as DynamoDB bills them.
// It forwards bytes unchanged, Host included, so signatures still verify.
type meter struct {
	target *url.URL
	client *http.Client

	mu    sync.Mutex
	calls []awsCall
	puts  map[string]int // item key → size of its last Put
}

// awsCall is one recorded call.
type awsCall struct {
	Service, Op string
	Duration    time.Duration
	Status      int
	Writes      []itemWrite
	ReadUnits   float64
}

// itemWrite is one item a call wrote; Size is -1 until resolved.
type itemWrite struct {
	Key           string
	Size          int
	Transactional bool
}

func newMeter(target string) (*meter, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("meter target: %w", err)
	}
	return &meter{target: u, puts: map[string]int{},
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 64}}}, nil
}

// reset forgets every recorded call (item sizes are kept).
func (m *meter) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = nil
}

// snapshot returns the calls recorded since the last reset.
func (m *meter) snapshot() []awsCall {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]awsCall(nil), m.calls...)
}

func (m *meter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read request", http.StatusBadGateway)
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host = m.target.Scheme, m.target.Host
	out.Host = r.Host
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	start := time.Now()
	resp, err := m.client.Do(out)
	if err != nil {
		http.Error(w, "forward", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	elapsed := time.Since(start)
	if err != nil {
		http.Error(w, "read response", http.StatusBadGateway)
		return
	}
	// Recorded before the caller sees the answer: once a gateway call has
	// returned, every AWS call it made is in the record.
	m.record(r, body, respBody, resp.StatusCode, elapsed)
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(respBody)
}

func (m *meter) record(r *http.Request, body, respBody []byte, status int, d time.Duration) {
	c := awsCall{Duration: d, Status: status, Op: operation(r, body), Service: signingService(r.Header.Get("Authorization"))}
	m.mu.Lock()
	defer m.mu.Unlock()
	if c.Service == "dynamodb" && status == http.StatusOK {
		c.Writes, c.ReadUnits = m.dynamoUnits(c.Op, body, respBody)
	}
	m.calls = append(m.calls, c)
}

// signingService reads the service from a SigV4 Authorization header's
// credential scope: Credential=<key>/<date>/<region>/<service>/aws4_request.
func signingService(authz string) string {
	_, cred, ok := strings.Cut(authz, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return ""
	}
	return parts[3]
}

// operation is the API action: X-Amz-Target for JSON protocols, Action for
// query protocols (STS).
func operation(r *http.Request, body []byte) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		if _, op, ok := strings.Cut(t, "."); ok {
			return op
		}
		return t
	}
	if q, err := url.ParseQuery(string(body)); err == nil && q.Get("Action") != "" {
		return q.Get("Action")
	}
	return "unknown"
}

// dynamoRequest is the part of a DynamoDB request capacity depends on.
type dynamoRequest struct {
	Item           map[string]any
	Key            map[string]any
	ConsistentRead bool
	TransactItems  []map[string]struct {
		Item map[string]any
		Key  map[string]any
	}
	RequestItems map[string]json.RawMessage
}

// dynamoResponse is the part of a DynamoDB answer read units depend on.
type dynamoResponse struct {
	Item      map[string]any
	Items     []map[string]any
	Responses json.RawMessage
}

// dynamoUnits lists the items a call wrote and the read units it used.
// Called with m.mu held.
func (m *meter) dynamoUnits(op string, body, respBody []byte) ([]itemWrite, float64) {
	var req dynamoRequest
	var resp dynamoResponse
	_ = json.Unmarshal(body, &req)
	_ = json.Unmarshal(respBody, &resp)
	switch op {
	case "PutItem":
		return []itemWrite{m.put(req.Item, false)}, 0
	case "UpdateItem", "DeleteItem":
		return []itemWrite{m.keyed(req.Key, false)}, 0
	case "TransactWriteItems":
		var ws []itemWrite
		for _, ti := range req.TransactItems {
			for kind, x := range ti {
				if kind == "Put" {
					ws = append(ws, m.put(x.Item, true))
				} else {
					ws = append(ws, m.keyed(x.Key, true))
				}
			}
		}
		return ws, 0
	case "GetItem":
		return nil, readUnits(wireItemSize(resp.Item), req.ConsistentRead, false)
	case "Query", "Scan":
		total := 0
		for _, it := range resp.Items {
			total += wireItemSize(it)
		}
		return nil, readUnits(total, req.ConsistentRead, false)
	case "TransactGetItems":
		var rs []struct{ Item map[string]any }
		_ = json.Unmarshal(resp.Responses, &rs)
		units := 0.0
		for _, x := range rs {
			units += readUnits(wireItemSize(x.Item), true, true)
		}
		return nil, units
	}
	return nil, 0
}

func (m *meter) put(item map[string]any, tx bool) itemWrite {
	k, size := wireKey(item), wireItemSize(item)
	m.puts[k] = size
	return itemWrite{Key: k, Size: size, Transactional: tx}
}

func (m *meter) keyed(key map[string]any, tx bool) itemWrite {
	k := wireKey(key)
	size, ok := m.puts[k]
	if !ok {
		size = -1
	}
	return itemWrite{Key: k, Size: size, Transactional: tx}
}

// wireKey is an item's table key (pk, sk) as one string.
func wireKey(item map[string]any) string {
	str := func(name string) string {
		v, _ := item[name].(map[string]any)
		s, _ := v["S"].(string)
		return s
	}
	return str("pk") + "|" + str("sk")
}

// resolveSizes fills in the sizes of updated items from the table as it
// is now (an update is billed on the larger of the item before and after;
// these counters only grow). It reads DynamoDB directly, uncounted, and
// returns how many writes still have no size (billed as one unit each).
func resolveSizes(ctx context.Context, db *dynamodb.Client, table string, calls []awsCall) (int, error) {
	sizes := map[string]int{}
	unknown := 0
	for i := range calls {
		for j := range calls[i].Writes {
			w := &calls[i].Writes[j]
			if w.Size >= 0 {
				continue
			}
			size, ok := sizes[w.Key]
			if !ok {
				pk, sk, _ := strings.Cut(w.Key, "|")
				out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table),
					Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: pk}, "sk": &types.AttributeValueMemberS{Value: sk}}})
				if err != nil {
					return 0, fmt.Errorf("read item size: %w", err)
				}
				size = -1
				if out.Item != nil {
					size = itemSize(out.Item)
				}
				sizes[w.Key] = size
			}
			if size < 0 {
				unknown++
				continue
			}
			w.Size = size
		}
	}
	return unknown, nil
}
