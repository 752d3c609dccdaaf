// Package attribute says, for each request, during which feature it was
// sent (Feature), who receives it (Recipient) and to which run it belongs
// (SplitRuns: runs whose logs are prefixes of one another).
//
// Features are taxonomy.Features, the one vocabulary: Resolve takes the
// catalog's path and feature for the request's URI or request type, and
// only when the catalog cannot place it (a request type logged without a
// path, unknown to the catalog) decides from what the request carries (a
// Mini Program appid, a search session, coordinates), saying why. Feature,
// Resolve and Recipient are pure functions. SplitRuns works on one 32-byte
// hash per line, so memory is O(total lines), never the contents.
package attribute
