// Package attribute says, for each request, during which feature it was
// sent (Feature), who receives it (Recipient) and to which run it belongs
// (Segments: runs whose logs are prefixes of one another).
//
// Feature and Recipient are pure functions of the request's API path,
// request type and host. Segments reads each input once, keeping one
// 32-byte hash per line, so memory is O(total lines), never the contents.
package attribute
