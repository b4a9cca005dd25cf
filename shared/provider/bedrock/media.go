package bedrock

import (
	"encoding/base64"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
)

// imageBlock converts an image given as a data: URI. Converse takes image
// bytes (or S3 locations), never URLs, and the gateway does not fetch
// URLs on a client's behalf, so http(s) images are refused.
func imageBlock(raw, param string) (types.ContentBlock, error) {
	if !strings.HasPrefix(raw, "data:") {
		return nil, invalid(param, "Bedrock takes images only as data URIs (data:image/<type>;base64,<data>)")
	}
	mime, data, ok := parseDataURI(raw)
	if !ok {
		return nil, invalid(param, "image data URI must be data:image/<type>;base64,<data>")
	}
	format, ok := imageFormat(mime)
	if !ok {
		return nil, invalid(param, "image type must be png, jpeg, gif or webp")
	}
	b, err := decodeBase64(data)
	if err != nil {
		return nil, invalid(param, "image data is not valid base64")
	}
	return &types.ContentBlockMemberImage{Value: types.ImageBlock{
		Format: format,
		Source: &types.ImageSourceMemberBytes{Value: b},
	}}, nil
}

// imageFormat maps a MIME type to a Converse image format.
func imageFormat(mime string) (types.ImageFormat, bool) {
	switch mime {
	case "image/png":
		return types.ImageFormatPng, true
	case "image/jpeg", "image/jpg":
		return types.ImageFormatJpeg, true
	case "image/gif":
		return types.ImageFormatGif, true
	case "image/webp":
		return types.ImageFormatWebp, true
	}
	return "", false
}

// parseDataURI splits data:<mime>;base64,<data>.
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

// decodeBase64 accepts standard base64 with or without padding.
func decodeBase64(s string) ([]byte, error) {
	if strings.HasSuffix(s, "=") || len(s)%4 == 0 {
		return base64.StdEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
