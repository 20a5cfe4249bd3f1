// Package changeset is the wire format devices exchange: a header, then a
// stream of records, each a field change or a row-existence change with its
// stamp, then a trailer that makes truncation and corruption detectable.
//
// Writer and Reader stream: neither holds more than one record, so a
// changeset of any size is written and read in flat memory. Values
// round-trip exactly: NULL, any int64, any float64 bit for bit (NaN is
// refused, since SQLite has none), any TEXT (invalid UTF-8 too) and any BLOB.
// The format is specified in docs/changeset-format.md.
package changeset
