package testmail

// Zips written byte by byte, as archive/zip's writer never would: entries
// that share data, sizes that lie, zip64 end records. The hostile-archive
// tests and fuzz seeds build their corpus with them.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// RawEntry is one central directory record of a hand-built zip.
type RawEntry struct {
	Name         string
	Method       uint16
	CRC          uint32
	CSize, USize uint64
	Offset       uint64 // of the local header
}

// RawZip builds zips byte by byte, as archive/zip's writer never would:
// entries that share data, sizes that lie, zip64 end records.
type RawZip struct {
	b       bytes.Buffer
	Entries []RawEntry
}

// Local writes a local header and data, and returns the header's offset.
func (z *RawZip) Local(name string, method uint16, crc uint32, csize, usize uint64, data []byte) uint64 {
	off := uint64(z.b.Len())
	le := binary.LittleEndian
	var h [30]byte
	le.PutUint32(h[0:], 0x04034b50)
	le.PutUint16(h[4:], 20)
	le.PutUint16(h[8:], method)
	le.PutUint32(h[14:], crc)
	le.PutUint32(h[18:], uint32(min(csize, 0xffffffff)))
	le.PutUint32(h[22:], uint32(min(usize, 0xffffffff)))
	le.PutUint16(h[26:], uint16(len(name)))
	z.b.Write(h[:])
	z.b.WriteString(name)
	z.b.Write(data)
	return off
}

// Directory writes the central directory and the end records (zip64 ones
// when zip64 is set or the entries need them) and returns the zip.
func (z *RawZip) Directory(zip64 bool) []byte {
	le := binary.LittleEndian
	start := uint64(z.b.Len())
	for _, e := range z.Entries {
		var h [46]byte
		le.PutUint32(h[0:], 0x02014b50)
		le.PutUint16(h[4:], 20)
		le.PutUint16(h[6:], 20)
		le.PutUint16(h[10:], e.Method)
		le.PutUint32(h[16:], e.CRC)
		le.PutUint32(h[20:], uint32(e.CSize))
		le.PutUint32(h[24:], uint32(e.USize))
		le.PutUint16(h[28:], uint16(len(e.Name)))
		le.PutUint32(h[42:], uint32(e.Offset))
		z.b.Write(h[:])
		z.b.WriteString(e.Name)
	}
	size := uint64(z.b.Len()) - start
	n := uint64(len(z.Entries))
	zip64 = zip64 || n >= 0xffff
	if zip64 {
		end64 := uint64(z.b.Len())
		var r [56]byte
		le.PutUint32(r[0:], 0x06064b50)
		le.PutUint64(r[4:], 44)
		le.PutUint16(r[12:], 45)
		le.PutUint16(r[14:], 45)
		le.PutUint64(r[24:], n)
		le.PutUint64(r[32:], n)
		le.PutUint64(r[40:], size)
		le.PutUint64(r[48:], start)
		z.b.Write(r[:])
		var loc [20]byte
		le.PutUint32(loc[0:], 0x07064b50)
		le.PutUint64(loc[8:], end64)
		le.PutUint32(loc[16:], 1)
		z.b.Write(loc[:])
	}
	var r [22]byte
	le.PutUint32(r[0:], 0x06054b50)
	if zip64 {
		le.PutUint16(r[8:], 0xffff)
		le.PutUint16(r[10:], 0xffff)
		le.PutUint32(r[12:], 0xffffffff)
		le.PutUint32(r[16:], 0xffffffff)
	} else {
		le.PutUint16(r[8:], uint16(n))
		le.PutUint16(r[10:], uint16(n))
		le.PutUint32(r[12:], uint32(size))
		le.PutUint32(r[16:], uint32(start))
	}
	z.b.Write(r[:])
	return z.b.Bytes()
}

// Stored adds a stored entry holding data.
func (z *RawZip) Stored(name string, data []byte) {
	off := z.Local(name, zip.Store, crc32.ChecksumIEEE(data), uint64(len(data)), uint64(len(data)), data)
	z.Entries = append(z.Entries, RawEntry{name, zip.Store, crc32.ChecksumIEEE(data), uint64(len(data)), uint64(len(data)), off})
}

// ZeroDeflate returns a deflate stream of n MiB of zero bytes, and its
// CRC-32, cheaply: one MiB is compressed once, and its sync-flushed
// blocks repeated (a repeat refers only to zeros already inflated), then
// an empty final block ends the stream.
func ZeroDeflate(mib int) ([]byte, uint32) {
	zeros := make([]byte, 1<<20)
	var chunk bytes.Buffer
	fw, _ := flate.NewWriter(&chunk, flate.BestCompression) // a valid level: no error
	fw.Write(zeros)                                         // a bytes.Buffer does not fail
	fw.Flush()
	stream := bytes.Repeat(chunk.Bytes(), mib)
	stream = append(stream, 0x03, 0x00) // a final fixed-Huffman block holding only its end
	crc := uint32(0)
	for range mib {
		crc = crc32.Update(crc, crc32.IEEETable, zeros)
	}
	return stream, crc
}

// OverlapBomb builds the overlapping-entry zip bomb: n entries whose
// directory records all point at one deflate stream of mib MiB of zeros,
// then a genuine message, stored, that must still be read.
func OverlapBomb(n, mib int, genuine []byte) []byte {
	stream, crc := ZeroDeflate(mib)
	var z RawZip
	usize := uint64(mib) << 20
	off := z.Local("bomb/00000", zip.Deflate, crc, uint64(len(stream)), usize, stream)
	for i := range n {
		z.Entries = append(z.Entries, RawEntry{fmt.Sprintf("bomb/%05d", i), zip.Deflate, crc, uint64(len(stream)), usize, off})
	}
	z.Stored("zz/genuine.eml", genuine)
	return z.Directory(false)
}

// Bytes returns what has been written so far.
func (z *RawZip) Bytes() []byte { return z.b.Bytes() }
