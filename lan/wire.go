package lan

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"
)

// A round's bodies are changesets compressed with zstd, at its fastest
// level: it takes a quarter of the bytes of a first sync's changeset for a
// fraction of gzip's time on both sides.
const contentType = "application/x-capture-changeset+zstd"

// maxWindow bounds the memory the decoder may take for a stream's window,
// whatever its header asks for.
const maxWindow = 8 << 20

// ErrStream is returned for a body that is not a zstd stream, or breaks
// off in the middle of one.
var ErrStream = errors.New("lan: the body is not a whole zstd stream")

// Encoders and decoders are kept for the next round: making one costs
// more than a small round's whole stream.
var (
	encoders sync.Pool // *zstd.Encoder
	decoders sync.Pool // *zstd.Decoder
)

// compress returns a writer that compresses into w; Close ends the stream
// (it does not close w).
func compress(w io.Writer) (io.WriteCloser, error) {
	if enc, ok := encoders.Get().(*zstd.Encoder); ok {
		enc.Reset(w)
		return &encoded{enc}, nil
	}
	enc, err := zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(1<<20))
	if err != nil {
		return nil, err
	}
	return &encoded{enc}, nil
}

type encoded struct{ enc *zstd.Encoder }

func (e *encoded) Write(p []byte) (int, error) { return e.enc.Write(p) }

// Close ends the stream, and keeps the encoder for another when it ended
// well.
func (e *encoded) Close() error {
	if e.enc == nil {
		return nil
	}
	err := e.enc.Close()
	if err == nil {
		e.enc.Reset(nil)
		encoders.Put(e.enc)
	}
	e.enc = nil
	return err
}

// decompress returns a reader of what r's zstd stream holds. Its errors,
// but those of r itself (a body over its limit), wrap ErrStream. Close
// gives the decoder back.
func decompress(r io.Reader) (io.ReadCloser, error) {
	d, ok := decoders.Get().(*zstd.Decoder)
	if ok {
		if err := d.Reset(r); err != nil {
			d.Close()
			return nil, fmt.Errorf("%w: %w", ErrStream, err)
		}
		return &decoded{d: d}, nil
	}
	d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxWindow),
		zstd.WithDecoderLowmem(true))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStream, err)
	}
	return &decoded{d: d}, nil
}

// decoded reads a stream. Its decoder goes back to the pool only once the
// stream was read to its end: a reader that stopped before (an apply that
// failed) may have a read still under way in another goroutine, and such a
// decoder is left to the garbage collector.
type decoded struct {
	d   *zstd.Decoder
	eof atomic.Bool
}

func (r *decoded) Read(p []byte) (int, error) {
	n, err := r.d.Read(p)
	if err == io.EOF {
		r.eof.Store(true)
		return n, err
	}
	var mb *http.MaxBytesError
	if err != nil && !errors.As(err, &mb) {
		err = fmt.Errorf("%w: %w", ErrStream, err)
	}
	return n, err
}

// Close gives the decoder back when the stream was read to its end.
func (r *decoded) Close() error {
	if r.eof.Swap(false) && r.d.Reset(nil) == nil {
		decoders.Put(r.d)
	}
	return nil
}
