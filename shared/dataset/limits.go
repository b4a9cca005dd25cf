package dataset

// Upload limits. They bound what one Lambda holds in memory while parsing,
// sealing and evaluating a dataset, and what one workspace can put in the
// table; the savings engine runs every item against several models, so the
// item count also bounds the cost of one evaluation.
const (
	// MaxBytes bounds an uploaded file (5 MiB).
	MaxBytes = 5 << 20
	// MaxItems bounds the items (non-blank lines) of one dataset.
	MaxItems = 5000
	// MaxLineBytes bounds one line (64 KiB), without its line ending.
	MaxLineBytes = 64 << 10
	// MaxMessages bounds the messages of one item.
	MaxMessages = 50
	// MaxTags bounds the tags of one item.
	MaxTags = 16
	// MaxTagKeyBytes bounds a tag's key.
	MaxTagKeyBytes = 64
	// MaxTagValueBytes bounds a tag's value.
	MaxTagValueBytes = 256
	// MaxRejects bounds the rejects Parse reports: enough to fix a file in a
	// few rounds, small enough for one error response.
	MaxRejects = 100
	// MaxNameLen bounds a dataset's name, in characters.
	MaxNameLen = 100
)

// Limits tightens the documented maximums for one Parse (a plan may allow
// less). A zero field, or one above its maximum, takes the maximum: the
// store's chunking relies on the maximums holding.
type Limits struct {
	Bytes         int
	Items         int
	LineBytes     int
	Messages      int
	Tags          int
	TagKeyBytes   int
	TagValueBytes int
	Rejects       int
}

// DefaultLimits are the maximums.
var DefaultLimits = Limits{
	Bytes: MaxBytes, Items: MaxItems, LineBytes: MaxLineBytes, Messages: MaxMessages,
	Tags: MaxTags, TagKeyBytes: MaxTagKeyBytes, TagValueBytes: MaxTagValueBytes, Rejects: MaxRejects,
}

// clamped returns l with every field within (0, maximum].
func (l Limits) clamped() Limits {
	c := func(v, maximum int) int {
		if v <= 0 || v > maximum {
			return maximum
		}
		return v
	}
	return Limits{
		Bytes: c(l.Bytes, MaxBytes), Items: c(l.Items, MaxItems), LineBytes: c(l.LineBytes, MaxLineBytes),
		Messages: c(l.Messages, MaxMessages), Tags: c(l.Tags, MaxTags), TagKeyBytes: c(l.TagKeyBytes, MaxTagKeyBytes),
		TagValueBytes: c(l.TagValueBytes, MaxTagValueBytes), Rejects: c(l.Rejects, MaxRejects),
	}
}
