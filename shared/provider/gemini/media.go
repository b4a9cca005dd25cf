package gemini

import (
	"encoding/json"
	"net/url"
	"path"
	"strings"
)

// imageType returns the MIME type of an image format Gemini documents,
// by file extension.
func imageType(ext string) (string, bool) {
	switch strings.ToLower(ext) {
	case ".png":
		return "image/png", true
	case ".jpg", ".jpeg":
		return "image/jpeg", true
	case ".webp":
		return "image/webp", true
	case ".heic":
		return "image/heic", true
	case ".heif":
		return "image/heif", true
	}
	return "", false
}

// audioType returns the MIME type of an OpenAI input_audio format Gemini
// also takes.
func audioType(format string) (string, bool) {
	switch format {
	case "wav", "mp3", "aiff", "aac", "ogg", "flac":
		return "audio/" + format, true
	}
	return "", false
}

// imagePart sends a data: URI inline and an http(s) URL by reference. The
// API needs the MIME type of a referenced file, which only the extension
// tells us here; a URL without a known one is refused rather than guessed.
func imagePart(raw, param string) (part, error) {
	if strings.HasPrefix(raw, "data:") {
		mime, data, ok := parseDataURI(raw)
		if !ok || !strings.HasPrefix(mime, "image/") {
			return part{}, invalid(param, "image data URI must be data:image/<type>;base64,<data>")
		}
		return part{InlineData: &blob{MimeType: mime, Data: data}}, nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return part{}, invalid(param, "image URL must be an http(s) URL or a data URI")
	}
	mime, ok := imageType(path.Ext(u.Path))
	if !ok {
		return part{}, invalid(param, "cannot tell the image type from the URL; use .png, .jpg, .webp, .heic or .heif, or a data URI")
	}
	return part{FileData: &fileData{MimeType: mime, FileURI: raw}}, nil
}

// audioPart converts OpenAI's input_audio {data, format}.
func audioPart(raw json.RawMessage, param string) (part, error) {
	var a struct {
		Data   string `json:"data"`
		Format string `json:"format"`
	}
	if err := json.Unmarshal(raw, &a); err != nil || a.Data == "" {
		return part{}, invalid(param, "input_audio must have data and format")
	}
	mime, ok := audioType(a.Format)
	if !ok {
		return part{}, invalid(param+".format", "audio format is not supported")
	}
	return part{InlineData: &blob{MimeType: mime, Data: a.Data}}, nil
}

// filePart converts OpenAI's file part when it carries its bytes as a data
// URI; uploaded file ids belong to another provider and cannot be sent.
func filePart(raw json.RawMessage, param string) (part, error) {
	var f struct {
		FileData string `json:"file_data"`
	}
	if err := json.Unmarshal(raw, &f); err != nil || f.FileData == "" {
		return part{}, invalid(param, "file must carry file_data as a data URI")
	}
	mime, data, ok := parseDataURI(f.FileData)
	if !ok {
		return part{}, invalid(param+".file_data", "file_data must be data:<type>;base64,<data>")
	}
	return part{InlineData: &blob{MimeType: mime, Data: data}}, nil
}

// parseDataURI splits data:<mime>;base64,<data>. Only base64 URIs are
// accepted, since that is what the API's inlineData carries.
func parseDataURI(s string) (mime, data string, ok bool) {
	rest, ok := strings.CutPrefix(s, "data:")
	if !ok {
		return "", "", false
	}
	meta, data, ok := strings.Cut(rest, ",")
	if !ok || data == "" {
		return "", "", false
	}
	mime, ok = strings.CutSuffix(meta, ";base64")
	if !ok || mime == "" || strings.Contains(mime, ";") {
		return "", "", false
	}
	return strings.ToLower(mime), data, true
}
