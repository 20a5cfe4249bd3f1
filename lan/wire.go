package lan

import (
	"errors"
	"fmt"
	"io"
	"net/http"

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

// compress returns a writer that compresses into w; Close ends the stream
// (it does not close w).
func compress(w io.Writer) (io.WriteCloser, error) {
	return zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1),
		zstd.WithWindowSize(1<<20))
}

// decompress returns a reader of what r's zstd stream holds. Its errors,
// but those of r itself (a body over its limit), wrap ErrStream.
func decompress(r io.Reader) (io.ReadCloser, error) {
	d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxWindow),
		zstd.WithDecoderLowmem(true))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStream, err)
	}
	return &decoded{d: d}, nil
}

type decoded struct{ d *zstd.Decoder }

func (r *decoded) Read(p []byte) (int, error) {
	n, err := r.d.Read(p)
	var mb *http.MaxBytesError
	if err != nil && err != io.EOF && !errors.As(err, &mb) {
		err = fmt.Errorf("%w: %w", ErrStream, err)
	}
	return n, err
}

func (r *decoded) Close() error {
	r.d.Close()
	return nil
}
