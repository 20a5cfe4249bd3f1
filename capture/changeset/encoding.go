package changeset

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
)

// magic opens every changeset.
const magic = "CAPCHSET"

// Value type tags.
const (
	tagNull  = 0
	tagInt   = 1
	tagFloat = 2
	tagText  = 3
	tagBlob  = 4
)

// encoder writes the primitive types of the format and keeps the running
// checksum and the name dictionary.
type encoder struct {
	w     *bufio.Writer
	crc   hash.Hash32
	names map[string]uint64
	buf   [binary.MaxVarintLen64]byte
	err   error
}

func newEncoder(w io.Writer) *encoder {
	return &encoder{w: bufio.NewWriterSize(w, 64<<10), crc: crc32.NewIEEE(), names: map[string]uint64{}}
}

func (e *encoder) bytes(b []byte) {
	if e.err != nil {
		return
	}
	e.crc.Write(b)
	_, e.err = e.w.Write(b)
}

func (e *encoder) byte(b byte) { e.bytes([]byte{b}) }

func (e *encoder) uvarint(v uint64) { e.bytes(e.buf[:binary.PutUvarint(e.buf[:], v)]) }

func (e *encoder) varint(v int64) { e.bytes(e.buf[:binary.PutVarint(e.buf[:], v)]) }

func (e *encoder) string(s string, limit int) {
	if len(s) > limit && e.err == nil {
		e.err = fmt.Errorf("string of %d bytes (limit %d): %w", len(s), limit, ErrLimit)
	}
	e.uvarint(uint64(len(s)))
	e.bytes([]byte(s))
}

// name writes a table, column or node name through the dictionary: 0 and
// the string the first time, the string's index plus one after.
func (e *encoder) name(s string) {
	if i, ok := e.names[s]; ok {
		e.uvarint(i + 1)
		return
	}
	if len(e.names) >= MaxNames && e.err == nil {
		e.err = fmt.Errorf("more than %d distinct names: %w", MaxNames, ErrLimit)
	}
	e.names[s] = uint64(len(e.names))
	e.uvarint(0)
	e.string(s, MaxNameLen)
}

func (e *encoder) value(v any) {
	switch x := v.(type) {
	case nil:
		e.byte(tagNull)
	case int64:
		e.byte(tagInt)
		e.varint(x)
	case int:
		e.byte(tagInt)
		e.varint(int64(x))
	case float64:
		if math.IsNaN(x) && e.err == nil {
			e.err = fmt.Errorf("NaN: %w", ErrValue)
		}
		e.byte(tagFloat)
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
		e.bytes(b[:])
	case string:
		e.byte(tagText)
		e.string(x, MaxValueLen)
	case []byte:
		e.byte(tagBlob)
		if len(x) > MaxValueLen && e.err == nil {
			e.err = fmt.Errorf("blob of %d bytes (limit %d): %w", len(x), MaxValueLen, ErrLimit)
		}
		e.uvarint(uint64(len(x)))
		e.bytes(x)
	default:
		if e.err == nil {
			e.err = fmt.Errorf("a value of Go type %T: %w", v, ErrValue)
		}
	}
}

// decoder reads what encoder writes, keeping the same checksum and
// dictionary, and turns every failure into ErrCorrupt, ErrTruncated or
// ErrLimit.
type decoder struct {
	r     *bufio.Reader
	crc   hash.Hash32
	names []string
	err   error
}

func newDecoder(r io.Reader) *decoder {
	return &decoder{r: bufio.NewReaderSize(r, 64<<10), crc: crc32.NewIEEE()}
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *decoder) readFull(n int) []byte {
	if d.err != nil {
		return nil
	}
	// A length prefix is only a claim: read a large value in chunks, so a
	// short stream cannot make the reader allocate what it claims.
	b := make([]byte, 0, min(n, chunk))
	for len(b) < n {
		m := min(n-len(b), chunk)
		b = append(b, make([]byte, m)...)
		if _, err := io.ReadFull(d.r, b[len(b)-m:]); err != nil {
			d.fail(truncated(err))
			return nil
		}
	}
	d.crc.Write(b)
	return b
}

// chunk is the most a value's read allocates ahead of the data.
const chunk = 1 << 20

func truncated(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return ErrTruncated
	}
	return err
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	b, err := d.r.ReadByte()
	if err != nil {
		d.fail(truncated(err))
		return 0
	}
	d.crc.Write([]byte{b})
	return b
}

// byteCounter feeds binary.ReadUvarint through the checksum.
type byteCounter struct{ d *decoder }

func (c byteCounter) ReadByte() (byte, error) {
	b := c.d.byte()
	return b, c.d.err
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(byteCounter{d})
	if err != nil {
		d.fail(fmt.Errorf("malformed number: %w", ErrCorrupt))
	}
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadVarint(byteCounter{d})
	if err != nil {
		d.fail(fmt.Errorf("malformed number: %w", ErrCorrupt))
	}
	return v
}

func (d *decoder) length(limit int) int {
	n := d.uvarint()
	if n > uint64(limit) {
		d.fail(fmt.Errorf("length %d (limit %d): %w", n, limit, ErrLimit))
		return 0
	}
	return int(n)
}

func (d *decoder) string(limit int) string {
	return string(d.readFull(d.length(limit)))
}

func (d *decoder) name() string {
	i := d.uvarint()
	if d.err != nil {
		return ""
	}
	if i == 0 {
		s := d.string(MaxNameLen)
		if len(d.names) >= MaxNames {
			d.fail(fmt.Errorf("more than %d distinct names: %w", MaxNames, ErrLimit))
		}
		d.names = append(d.names, s)
		return s
	}
	if i > uint64(len(d.names)) {
		d.fail(fmt.Errorf("name reference %d to %d names: %w", i, len(d.names), ErrCorrupt))
		return ""
	}
	return d.names[i-1]
}

func (d *decoder) value() any {
	switch tag := d.byte(); tag {
	case tagNull:
		return nil
	case tagInt:
		return d.varint()
	case tagFloat:
		b := d.readFull(8)
		if b == nil {
			return nil
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(b))
		if math.IsNaN(f) {
			d.fail(fmt.Errorf("NaN value: %w", ErrCorrupt))
		}
		return f
	case tagText:
		return d.string(MaxValueLen)
	case tagBlob:
		b := d.readFull(d.length(MaxValueLen))
		if b == nil {
			b = []byte{}
		}
		return b
	default:
		d.fail(fmt.Errorf("unknown value type %d: %w", tag, ErrCorrupt))
		return nil
	}
}
