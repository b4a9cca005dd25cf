package anthropic

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/chat"
)

// imageType reports whether Anthropic accepts images of this media type.
func imageType(media string) bool {
	switch media {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return true
	}
	return false
}

// userBlocks converts the content of a user (or tool) message into blocks.
// Empty text is dropped because Anthropic rejects empty text blocks.
func userBlocks(c chat.Content, param string) ([]ContentBlock, error) {
	if !c.IsParts {
		return textBlocks(c.Text), nil
	}
	out := make([]ContentBlock, 0, len(c.Parts))
	for j, p := range c.Parts {
		pp := fmt.Sprintf("%s[%d]", param, j)
		switch p.Type {
		case "text":
			out = append(out, textBlocks(p.Text)...)
		case "image_url":
			b, err := imageBlock(p.ImageURL, pp)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		case "file":
			b, err := documentBlock(p.File, pp)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		default:
			return nil, unsupportedContent(p.Type, pp)
		}
	}
	return out, nil
}

// assistantText converts an assistant message's content, which Anthropic
// allows to hold text only.
func assistantText(c chat.Content, param string) ([]ContentBlock, error) {
	if !c.IsParts {
		return textBlocks(c.Text), nil
	}
	var out []ContentBlock
	for j, p := range c.Parts {
		if p.Type != "text" {
			return nil, unsupportedContent(p.Type, fmt.Sprintf("%s[%d]", param, j))
		}
		out = append(out, textBlocks(p.Text)...)
	}
	return out, nil
}

// systemText flattens a system or developer message to its text.
func systemText(c chat.Content, param string) (string, error) {
	if !c.IsParts {
		return c.Text, nil
	}
	var b strings.Builder
	for j, p := range c.Parts {
		if p.Type != "text" {
			return "", unsupportedContent(p.Type, fmt.Sprintf("%s[%d]", param, j))
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}

func textBlocks(s string) []ContentBlock {
	if s == "" {
		return nil
	}
	return []ContentBlock{{Type: "text", Text: s}}
}

// imageBlock turns an image_url part into an image block: a base64 data: URI
// becomes inline data, an http(s) URL is passed for Anthropic to fetch.
func imageBlock(img *chat.ImageURL, param string) (ContentBlock, error) {
	if img == nil || img.URL == "" {
		return ContentBlock{}, apperr.New(apperr.Invalid, "invalid_image_url", "image_url.url is required").WithParam(param)
	}
	u := img.URL
	switch {
	case strings.HasPrefix(u, "data:"):
		media, data, err := parseDataURI(u, param)
		if err != nil {
			return ContentBlock{}, err
		}
		if !imageType(media) {
			return ContentBlock{}, apperr.New(apperr.Invalid, "invalid_image_url",
				"image type must be image/jpeg, image/png, image/gif or image/webp").WithParam(param)
		}
		return ContentBlock{Type: "image", Source: &Source{Type: "base64", MediaType: media, Data: data}}, nil
	case strings.HasPrefix(u, "https://"), strings.HasPrefix(u, "http://"):
		return ContentBlock{Type: "image", Source: &Source{Type: "url", URL: u}}, nil
	}
	return ContentBlock{}, apperr.New(apperr.Invalid, "invalid_image_url",
		"image_url.url must be an http(s) URL or a base64 data: URI").WithParam(param)
}

// filePart is the OpenAI "file" content part.
type filePart struct {
	FileData string `json:"file_data"`
	FileID   string `json:"file_id"`
	Filename string `json:"filename"`
}

// documentBlock turns a file part holding an inline PDF into a document
// block. OpenAI file IDs mean nothing to Anthropic and are refused.
func documentBlock(raw json.RawMessage, param string) (ContentBlock, error) {
	var f filePart
	if err := json.Unmarshal(raw, &f); err != nil || f.FileData == "" {
		return ContentBlock{}, apperr.New(apperr.Invalid, "unsupported_content",
			"file parts must carry file_data as a base64 data: URI for this provider").WithParam(param)
	}
	media, data, err := parseDataURI(f.FileData, param)
	if err != nil {
		return ContentBlock{}, err
	}
	if media != "application/pdf" {
		return ContentBlock{}, apperr.New(apperr.Invalid, "unsupported_content",
			"only application/pdf files are supported by this provider").WithParam(param)
	}
	return ContentBlock{Type: "document", Source: &Source{Type: "base64", MediaType: media, Data: data}}, nil
}

// parseDataURI splits "data:<media type>[;params];base64,<data>".
func parseDataURI(u, param string) (media, data string, err error) {
	meta, data, ok := strings.Cut(strings.TrimPrefix(u, "data:"), ",")
	fields := strings.Split(meta, ";")
	if !ok || data == "" || len(fields) < 2 || fields[len(fields)-1] != "base64" {
		return "", "", apperr.New(apperr.Invalid, "invalid_image_url",
			"data: URIs must be base64-encoded").WithParam(param)
	}
	return strings.ToLower(fields[0]), data, nil
}

func unsupportedContent(typ, param string) error {
	return apperr.New(apperr.Invalid, "unsupported_content",
		fmt.Sprintf("content part type %q is not supported by this provider", typ)).WithParam(param)
}
