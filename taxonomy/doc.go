// Package taxonomy is wxaudit's vocabulary: the personal-data types a
// finding names, the categories a privacy policy speaks in, detection
// confidence, recipients, permission states, inner-encryption modes and
// the reasons a record or payload was not decrypted.
//
// Every other package spells these words through this package, so a new
// data type is one constant, one entry in All and one section in
// classify/TAXONOMY.md (a test keeps the three equal). The strings are part of
// the output formats (findings.jsonl, policy models, decrypt statistics):
// renaming one is a breaking change.
//
// taxonomy is a leaf: it imports only the standard library.
package taxonomy
