package classify

// Detectors that read a message's structure rather than its field
// numbers' place in a known request: a chat message or an image message
// keeps its shape when a later client moves it inside the request or
// renames the endpoint, and no endpoint rule is needed to see it.

import (
	"strings"

	"github.com/wxaudit/wxaudit/internal/lazyre"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// reUserName is a WeChat user name: wxid_…, a chat room, an official or
// Mini Program account, or an alias (letters first, 6-20 characters).
var reUserName = lazyre.New(`^(wxid_[a-z0-9]{8,24}|\d{5,20}@chatroom|gh_[0-9a-f]{12}(@app)?|[A-Za-z][A-Za-z0-9_-]{5,19})$`)

// reClientMediaID is a client media id ending in the millisecond time it
// was made ("aupimg_3215b25c7c7a4315_1681406177558").
var reClientMediaID = lazyre.New(`^[a-z]+_[0-9a-f]{8,32}_(1[4-9]\d{11})$`)

// structures finds chat messages and media messages by their shape.
func structures(fields []Field, emit func(Finding)) {
	byPath := make(map[string]*Field, len(fields))
	kids := map[string][]*Field{}
	var order []string // parents in leaf order, so findings come out in a stable order
	for i := range fields {
		f := &fields[i]
		if f.Container {
			continue
		}
		byPath[f.Path] = f
		if _, ok := kids[f.parent()]; !ok {
			order = append(order, f.parent())
		}
		kids[f.parent()] = append(kids[f.parent()], f)
	}
	child := func(p, k string) *Field {
		if p == "" {
			return byPath[k]
		}
		return byPath[p+"."+k]
	}
	userName := func(f *Field) bool {
		s, ok := leafText(f)
		return ok && reUserName.MatchString(s) && !reHex32.MatchString(s)
	}
	for _, p := range order {
		// A chat message: {1 {1 to-user}, 2 content, 3 type, 4 create time}.
		to, body, typ, when := child(p, "1.1"), child(p, "2"), child(p, "3"), child(p, "4")
		if to != nil && body != nil && typ != nil && when != nil && userName(to) &&
			body.Kind == KindText && body.Text != "" && typ.Kind == KindVarint && typ.Uint > 0 && typ.Uint < 100 &&
			when.Kind == KindVarint && reUnixSec.MatchString(valueOf(when)) {
			const why = "a message {1 {1 to-user}, 2 content, 3 type, 4 create time}, recognised by its shape wherever it sits"
			emit(Finding{DataType: taxonomy.MessageContent, Confidence: taxonomy.Medium, FieldPath: body.Path, Value: excerpt(body.Text),
				Rule: "detector:chat-message", Reason: why + ": the content"})
			emit(Finding{DataType: taxonomy.ContactsSocialGraph, Confidence: taxonomy.Medium, FieldPath: to.Path, Value: to.display(),
				Rule: "detector:chat-message", Reason: why + ": the recipient"})
			emit(Finding{DataType: taxonomy.ActivityTimestamps, Confidence: taxonomy.Medium, FieldPath: when.Path, Value: valueOf(when),
				Rule: "detector:chat-message", Reason: why + ": when it was written"})
		}
		// A media message: a client media id, from- and to-users, and the
		// file's MD5, siblings of one message.
		var id, md5 *Field
		users := 0
		for _, k := range kids[p] {
			s, ok := leafText(k)
			switch {
			case !ok:
			case reClientMediaID.MatchString(s):
				id = k
			case reHex32.MatchString(s):
				md5 = k
			case strings.HasPrefix(s, "wxid_") || strings.HasSuffix(s, "@chatroom"):
				users++
			}
		}
		if id != nil && users >= 2 {
			const why = "a media message {client media id, from-user, to-user, …, MD5}, recognised by its shape"
			if md5 != nil {
				emit(Finding{DataType: taxonomy.ImageMediaMetadata, Confidence: taxonomy.Medium, FieldPath: md5.Path, Value: md5.display(),
					Rule: "detector:media-message", Reason: why + ": the MD5 identifies the exact file sent"})
			}
			m := reClientMediaID.FindStringSubmatch(id.Text)
			emit(Finding{DataType: taxonomy.ActivityTimestamps, Confidence: taxonomy.Medium, FieldPath: id.Path, Value: m[1],
				Rule: "detector:media-message", Reason: why + ": the client media id ends with the millisecond time the user made it"})
		}
	}
}

// valueOf renders a leaf's value as text.
func valueOf(f *Field) string {
	s, _ := valueText(f)
	return s
}
