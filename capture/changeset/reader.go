package changeset

import (
	"encoding/binary"
	"fmt"
	"io"
)

// Reader reads one changeset, record by record.
type Reader struct {
	d      *decoder
	header Header
	count  uint64
	done   bool
}

// NewReader reads and checks the magic, the format version and the header.
func NewReader(r io.Reader) (*Reader, error) {
	d := newDecoder(r)
	m := d.readFull(len(magic))
	if d.err != nil {
		return nil, fmt.Errorf("changeset: read header: %w", d.err)
	}
	if string(m) != magic {
		return nil, fmt.Errorf("changeset: not a changeset (magic %q): %w", m, ErrCorrupt)
	}
	if v := d.uvarint(); d.err == nil && v != Version {
		return nil, fmt.Errorf("changeset: format version %d, this code reads %d: %w", v, Version, ErrVersion)
	}
	var h Header
	h.Origin = d.string(MaxNameLen)
	h.To = d.string(MaxNameLen)
	h.SchemaVersion = d.varint()
	h.Fingerprint = d.string(MaxNameLen)
	h.Snapshot = d.bool()
	h.UpToSeq = d.varint()
	h.Ack = d.varint()
	h.UpToHLC = d.varint()
	h.Checks = d.checks()
	h.Confirmed = d.checks()
	nw := d.length(MaxWitness)
	for i := 0; i < nw && d.err == nil; i++ {
		h.Witness = append(h.Witness, Witness{Node: d.string(MaxNameLen), Check: Check{Seq: d.varint(), HLC: d.varint()}})
	}
	nf := d.length(MaxFormer)
	for i := 0; i < nf && d.err == nil; i++ {
		h.Former = append(h.Former, d.string(MaxNameLen))
	}
	n := d.length(MaxTables)
	for i := 0; i < n && d.err == nil; i++ {
		t := Table{Name: d.name()}
		nk := d.length(MaxColumns)
		for j := 0; j < nk && d.err == nil; j++ {
			t.Key = append(t.Key, d.name())
		}
		nc := d.length(MaxColumns)
		for j := 0; j < nc && d.err == nil; j++ {
			t.Columns = append(t.Columns, d.name())
		}
		h.Tables = append(h.Tables, t)
	}
	if d.err != nil {
		return nil, fmt.Errorf("changeset: read header: %w", d.err)
	}
	return &Reader{d: d, header: h}, nil
}

func (d *decoder) bool() bool {
	switch b := d.byte(); b {
	case 0:
		return false
	case 1:
		return true
	default:
		d.fail(fmt.Errorf("flag byte %d: %w", b, ErrCorrupt))
		return false
	}
}

// checks reads a list of log checks.
func (d *decoder) checks() []Check {
	var out []Check
	n := d.length(MaxChecks)
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, Check{Seq: d.varint(), HLC: d.varint()})
	}
	return out
}

// Header returns the changeset's header.
func (r *Reader) Header() Header { return r.header }

// Next returns the next record, or io.EOF after the last one once the
// trailer's count and checksum have been verified. Any other error is
// final: ErrCorrupt, ErrTruncated, ErrLimit or an error of the underlying
// reader.
func (r *Reader) Next() (Record, error) {
	if r.done {
		return Record{}, io.EOF
	}
	d := r.d
	if d.err != nil {
		return Record{}, d.err
	}
	kind := Kind(d.byte())
	var rec Record
	switch kind {
	case 0:
		return Record{}, r.trailer()
	case Field, Row:
		rec.Kind = kind
	default:
		d.fail(fmt.Errorf("unknown record kind %d: %w", kind, ErrCorrupt))
		return Record{}, fmt.Errorf("changeset: record %d: %w", r.count+1, d.err)
	}
	rec.Table = d.name()
	rec.Entity = d.value()
	switch kind {
	case Field:
		rec.Field = d.name()
		if rec.HasValue = d.bool(); rec.HasValue {
			rec.Value = d.value()
		}
	case Row:
		if rec.Alive = d.bool(); rec.Alive {
			n := d.length(MaxColumns)
			rec.Row = make([]Column, 0, min(n, 64))
			for i := 0; i < n && d.err == nil; i++ {
				name := d.name()
				rec.Row = append(rec.Row, Column{name, d.value()})
			}
		}
	}
	rec.HLC = d.varint()
	rec.Origin = d.name()
	rec.Seq = d.varint()
	if d.err != nil {
		return Record{}, fmt.Errorf("changeset: record %d: %w", r.count+1, d.err)
	}
	r.count++
	return rec, nil
}

// trailer checks the record count and the checksum.
func (r *Reader) trailer() error {
	d := r.d
	n := d.uvarint()
	want := d.crc.Sum32()
	var sum [4]byte
	if d.err == nil {
		if _, err := io.ReadFull(d.r, sum[:]); err != nil {
			d.fail(truncated(err))
		}
	}
	if d.err != nil {
		return fmt.Errorf("changeset: trailer: %w", d.err)
	}
	if n != r.count {
		d.fail(fmt.Errorf("trailer counts %d records, read %d: %w", n, r.count, ErrCorrupt))
	} else if got := binary.LittleEndian.Uint32(sum[:]); got != want {
		d.fail(fmt.Errorf("checksum %08x, computed %08x: %w", got, want, ErrCorrupt))
	}
	if d.err != nil {
		return fmt.Errorf("changeset: trailer: %w", d.err)
	}
	r.done = true
	return io.EOF
}

// Count returns the number of records read so far.
func (r *Reader) Count() uint64 { return r.count }
