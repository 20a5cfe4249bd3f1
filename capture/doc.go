// Package capture is the sync engine around the capture triggers: it opens a
// database, migrates it for its profile, installs or refreshes the triggers,
// and exposes the change queue: what each paired device has not
// acknowledged yet, acknowledgements, pruning and undo.
//
// The data path: an edit fires a generated trigger (package triggers), which
// appends the change to local_changes and stamps its register in
// field_timestamps in the edit's own transaction; the engine streams
// local_changes to peers and prunes what every peer has acknowledged.
//
// An Engine owns one SQLite connection and is not safe for concurrent use;
// the app's other connections may write at the same time, and their edits
// are captured by the triggers.
package capture
