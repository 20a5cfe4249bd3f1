package changeset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Writer writes one changeset to an io.Writer, record by record.
type Writer struct {
	e      *encoder
	count  uint64
	closed bool
}

// NewWriter writes the magic, the format version and h to w and returns a
// Writer for the records. Close must be called to finish the changeset.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	e := newEncoder(w)
	e.bytes([]byte(magic))
	e.uvarint(Version)
	e.string(h.Origin, MaxNameLen)
	e.string(h.To, MaxNameLen)
	e.varint(h.SchemaVersion)
	e.string(h.Fingerprint, MaxNameLen)
	e.byte(boolByte(h.Snapshot))
	e.varint(h.UpToSeq)
	e.varint(h.Ack)
	e.varint(h.UpToHLC)
	for _, list := range [][]Check{h.Checks, h.Confirmed} {
		if len(list) > MaxChecks {
			return nil, fmt.Errorf("changeset: header lists %d checks (limit %d): %w", len(list), MaxChecks, ErrLimit)
		}
		e.uvarint(uint64(len(list)))
		for _, c := range list {
			e.varint(c.Seq)
			e.varint(c.HLC)
		}
	}
	if len(h.Witness) > MaxWitness {
		return nil, fmt.Errorf("changeset: header lists %d witness checks (limit %d): %w", len(h.Witness), MaxWitness, ErrLimit)
	}
	e.uvarint(uint64(len(h.Witness)))
	for _, w := range h.Witness {
		e.string(w.Node, MaxNameLen)
		e.varint(w.Seq)
		e.varint(w.HLC)
	}
	if len(h.Former) > MaxFormer {
		return nil, fmt.Errorf("changeset: header lists %d former node ids (limit %d): %w", len(h.Former), MaxFormer, ErrLimit)
	}
	e.uvarint(uint64(len(h.Former)))
	for _, id := range h.Former {
		e.string(id, MaxNameLen)
	}
	if len(h.Tables) > MaxTables {
		return nil, fmt.Errorf("changeset: header lists %d tables (limit %d): %w", len(h.Tables), MaxTables, ErrLimit)
	}
	e.uvarint(uint64(len(h.Tables)))
	for _, t := range h.Tables {
		if len(t.Key)+len(t.Columns) > MaxColumns {
			return nil, fmt.Errorf("changeset: table %s has too many columns: %w", t.Name, ErrLimit)
		}
		e.name(t.Name)
		e.uvarint(uint64(len(t.Key)))
		for _, k := range t.Key {
			e.name(k)
		}
		e.uvarint(uint64(len(t.Columns)))
		for _, c := range t.Columns {
			e.name(c)
		}
	}
	if e.err != nil {
		return nil, fmt.Errorf("changeset: write header: %w", e.err)
	}
	return &Writer{e: e}, nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// Write appends one record.
func (w *Writer) Write(r Record) error {
	if w.closed {
		return errors.New("changeset: write after Close")
	}
	e := w.e
	switch r.Kind {
	case Field, Row:
	default:
		return fmt.Errorf("changeset: record kind %d: %w", r.Kind, ErrValue)
	}
	if r.Kind == Row && len(r.Row) > MaxColumns {
		return fmt.Errorf("changeset: row of %d columns: %w", len(r.Row), ErrLimit)
	}
	e.byte(byte(r.Kind))
	e.name(r.Table)
	e.value(r.Entity)
	switch r.Kind {
	case Field:
		e.name(r.Field)
		e.byte(boolByte(r.HasValue))
		if r.HasValue {
			e.value(r.Value)
		}
	case Row:
		e.byte(boolByte(r.Alive))
		if r.Alive {
			e.uvarint(uint64(len(r.Row)))
			for _, c := range r.Row {
				e.name(c.Name)
				e.value(c.Value)
			}
		}
	}
	e.varint(r.HLC)
	e.name(r.Origin)
	e.varint(r.Seq)
	if e.err != nil {
		return fmt.Errorf("changeset: write %s record of %s: %w", kindName(r.Kind), r.Table, e.err)
	}
	w.count++
	return nil
}

// Count returns the number of records written so far.
func (w *Writer) Count() uint64 { return w.count }

// Close writes the trailer (the end mark, the record count and the checksum
// of everything before it) and flushes. It does not close the underlying
// writer.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	e := w.e
	e.byte(0)
	e.uvarint(w.count)
	var sum [4]byte
	binary.LittleEndian.PutUint32(sum[:], e.crc.Sum32())
	if e.err == nil {
		_, e.err = e.w.Write(sum[:])
	}
	if e.err == nil {
		e.err = e.w.Flush()
	}
	if e.err != nil {
		return fmt.Errorf("changeset: close: %w", e.err)
	}
	return nil
}

func kindName(k Kind) string {
	switch k {
	case Field:
		return "field"
	case Row:
		return "row"
	}
	return fmt.Sprintf("kind(%d)", k)
}
