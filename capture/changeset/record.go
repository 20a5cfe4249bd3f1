package changeset

// Version is the format version this package writes and reads.
const Version = 2

// Header opens a changeset.
type Header struct {
	// Origin is the node id of the device that wrote the changeset.
	Origin string
	// To is the node id of the device it is for ("" for anyone).
	To string
	// SchemaVersion and Fingerprint describe what the origin syncs.
	SchemaVersion int64
	Fingerprint   string
	// Columns lists the origin's synced tables and tracked columns, one
	// entry per table: the table name, then its key columns and tracked
	// columns as in Table. A receiver records it to know what the origin
	// understands.
	Tables []Table
	// Snapshot is set for a full snapshot, clear for a delta.
	Snapshot bool
	// UpToSeq is the origin's newest sequence number when it wrote the
	// changeset: the receiver has everything up to it once applied.
	UpToSeq int64
	// Ack is the highest of the receiver's sequence numbers the origin has
	// applied, so the receiver can advance its cursor for the origin.
	Ack int64
	// UpToHLC is the stamp of the origin's change at UpToSeq (0 if it has
	// none). Checks are points of the receiver's log as the origin received
	// them (a sequence number and the stamp of the change there), which the
	// receiver has not yet confirmed; Confirmed are those of the receiver's
	// checks of the origin's log that the origin found in it, which the
	// receiver drops. Together they
	// tell a log that went back in time (a restored backup) or forked (a
	// copied file) from the one the other side saw.
	UpToHLC   int64
	Checks    []Check
	Confirmed []Check
	// Witness passes on the origin's checks of other devices' logs (at
	// most MaxWitness): a device whose only peer that saw part of its log
	// lost it since (restored itself) is still told, by whoever holds what
	// that peer relayed.
	Witness []Witness
	// Former lists node ids the origin had before, newest first (at most
	// MaxFormer): a receiver paired under one of them learns the new one.
	Former []string
}

// Check is a point of a device's log as a peer received it: a sequence
// number and the stamp of the change there.
type Check struct{ Seq, HLC int64 }

// Witness is a check of a third device's log.
type Witness struct {
	Node string
	Check
}

// Table is one synced table as a device knows it.
type Table struct {
	Name    string
	Key     []string
	Columns []string
}

// Kind is the kind of a record.
type Kind uint8

// Kinds of record.
const (
	// Field: one field's register.
	Field Kind = 1
	// Row: one row's existence register.
	Row Kind = 2
)

// Record is one change: a field's register with its value, or a row's
// existence register with the full row when it is alive.
type Record struct {
	Kind Kind
	// Table and Entity name the row (Entity is the engine's entity id).
	Table  string
	Entity any
	// Field is the column (Field records).
	Field string
	// Value is the field's value (Field records with HasValue).
	Value any
	// HasValue is clear on a Field record that carries only the stamp: the
	// register of a field whose row is deleted, whose value no longer
	// matters.
	HasValue bool
	// Alive says whether the row exists (Row records).
	Alive bool
	// Row holds the row's columns and values, key first (alive Row records).
	Row []Column
	// HLC and Origin are the change's stamp: when and where it was made.
	HLC    int64
	Origin string
	// Seq is the writer's local sequence number of the change.
	Seq int64
}

// Column is one column of a row and its value.
type Column struct {
	Name  string
	Value any
}
