// Package lww merges changesets from other devices into a database, field
// by field, last writer wins: every field and every row's existence is a
// register whose value is that of the write with the highest (HLC, node id)
// stamp. Every device that has applied the same changes, in any order, any
// number of times and in any batches, ends with the same rows and the same
// registers.
//
// The decision is made by pure functions (Wins, DecideField, DecideRow);
// Apply reads a changeset and carries the decisions out in one transaction
// with capture suppressed, logging each change that won so it can be
// relayed. docs/merge-semantics.md lists the scenarios and their outcomes.
package lww
