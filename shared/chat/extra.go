package chat

import (
	"encoding/json"
	"fmt"
)

// knownFields are the top-level request fields Request models; everything
// else goes to Extra.
var knownFields = map[string]bool{
	"model": true, "messages": true, "stream": true, "stream_options": true,
	"max_tokens": true, "max_completion_tokens": true, "temperature": true,
	"top_p": true, "n": true, "stop": true, "seed": true, "user": true,
	"tools": true, "tool_choice": true, "parallel_tool_calls": true,
	"response_format": true, "presence_penalty": true, "frequency_penalty": true,
	"metadata": true,
}

type requestAlias Request

// UnmarshalJSON decodes the modelled fields and keeps the rest in Extra.
func (r *Request) UnmarshalJSON(b []byte) error {
	var a requestAlias
	if err := json.Unmarshal(b, &a); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for k, v := range all {
		if knownFields[k] {
			continue
		}
		if a.Extra == nil {
			a.Extra = make(map[string]json.RawMessage)
		}
		a.Extra[k] = v
	}
	*r = Request(a)
	return nil
}

// MarshalJSON writes the modelled fields and then Extra.
func (r Request) MarshalJSON() ([]byte, error) {
	base, err := json.Marshal(requestAlias(r))
	if err != nil {
		return nil, err
	}
	if len(r.Extra) == 0 {
		return base, nil
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(base, &all); err != nil {
		return nil, fmt.Errorf("merge extra fields: %w", err)
	}
	for k, v := range r.Extra {
		if !knownFields[k] {
			all[k] = v
		}
	}
	return json.Marshal(all)
}
