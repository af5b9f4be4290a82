// Package gzipjoin builds a gzip stream from pieces compressed ahead of
// time and short pieces known only when the response is written.
//
// A page that is the same for everyone except a few values (a name, a
// token, a count) would otherwise be compressed whole on every request,
// which costs far more than producing it. DEFLATE allows a stream to be
// a sequence of blocks that each stand alone once the previous one ends
// on a byte boundary: a sync flush gives exactly that, and a stored
// (uncompressed) block can carry the per-response values. Only the CRC-32
// of the whole is computed per response.
package gzipjoin

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"

	"github.com/klauspost/compress/flate"
)

// Piece is static content with its deflated form, ready to be joined.
type Piece struct {
	Raw      []byte
	deflated []byte
}

// Compress deflates raw once, at the best ratio, ending on a sync flush so
// that any block may follow it.
func Compress(raw []byte) (Piece, error) {
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		return Piece{}, err
	}
	if _, err := w.Write(raw); err != nil {
		return Piece{}, err
	}
	if err := w.Flush(); err != nil {
		return Piece{}, err
	}
	return Piece{Raw: raw, deflated: b.Bytes()}, nil
}

// Size is the deflated size of the piece.
func (p *Piece) Size() int { return len(p.deflated) }

// header is a gzip member header with no name, no time and an unknown OS,
// as compress/gzip writes it.
var header = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// maxStored is the most a stored block can hold.
const maxStored = 0xffff

// Stream is one gzip stream being assembled.
type Stream struct {
	buf  []byte
	crc  uint32
	size uint32
}

// NewStream starts a stream in a buffer of capacity hint.
func NewStream(hint int) *Stream {
	s := &Stream{buf: make([]byte, 0, hint+len(header)+16)}
	s.buf = append(s.buf, header...)
	return s
}

// Piece appends static content.
func (s *Stream) Piece(p *Piece) {
	if len(p.Raw) == 0 {
		return
	}
	s.buf = append(s.buf, p.deflated...)
	s.sum(p.Raw)
}

// LiteralSize is how many bytes Literal(text) appends, for sizing the
// stream: a buffer that must grow copies the whole page at the end.
func LiteralSize(text string) int {
	return len(text) + 5*(len(text)/maxStored+1)
}

// Literal appends text as stored blocks.
func (s *Stream) Literal(text string) {
	for len(text) > 0 {
		n := min(len(text), maxStored)
		// BFINAL 0, BTYPE 00 (stored), then LEN and its complement.
		s.buf = append(s.buf, 0)
		s.buf = binary.LittleEndian.AppendUint16(s.buf, uint16(n))
		s.buf = binary.LittleEndian.AppendUint16(s.buf, ^uint16(n))
		s.buf = append(s.buf, text[:n]...)
		s.sum(s.buf[len(s.buf)-n:])
		text = text[n:]
	}
}

func (s *Stream) sum(b []byte) {
	s.crc = crc32.Update(s.crc, crc32.IEEETable, b)
	s.size += uint32(len(b))
}

// Bytes ends the stream and returns it; the stream must not be used after.
func (s *Stream) Bytes() []byte {
	// An empty final block with fixed codes: BFINAL 1, BTYPE 01, end of block.
	s.buf = append(s.buf, 0x03, 0x00)
	s.buf = binary.LittleEndian.AppendUint32(s.buf, s.crc)
	s.buf = binary.LittleEndian.AppendUint32(s.buf, s.size)
	return s.buf
}
