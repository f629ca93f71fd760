package provenance

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/internal/testenv"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fillAll sets every settable field reachable from v to a value of its own,
// none of them zero: strings and numbers from a counter, bools true, two
// elements in each slice and map, pointers to filled values. Interfaces
// (errors) are left for the caller. A field the spool's codec forgot would
// come back zero.
func fillAll(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillAll(v.Index(i), n)
		}
	case reflect.Array:
		for i := range v.Len() {
			fillAll(v.Index(i), n)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fillAll(k, n)
			fillAll(e, n)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2020, 1, 1, 0, 0, *n, *n, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				fillAll(f, n)
			}
		}
	case reflect.Interface:
	default:
		panic(fmt.Sprintf("fillAll: no value for a %s", v.Type()))
	}
}

// spoolAll writes in to a Spool over a temporary file and reads them back.
func spoolAll(t testing.TB, in ...*Assessment) []*Assessment {
	f, err := os.CreateTemp(t.TempDir(), "spool-*")
	require.NoError(t, err, "create spool")
	defer f.Close()
	sp := NewSpool(f)
	for _, a := range in {
		require.NoError(t, sp.Write(a), "Spool.Write")
	}
	var out []*Assessment
	for a, err := range sp.All() {
		require.NoError(t, err, "Spool.All")
		out = append(out, a)
	}
	return out
}

// Every field of an Assessment, down to its signatures' keys, comes back
// from a Spool as it went in, with the pass's fingerprint and position.
func TestSpoolEveryField(t *testing.T) {
	var a Assessment
	n := 0
	fillAll(reflect.ValueOf(&a).Elem(), &n)
	a.Format = archive.FormatMboxrd // a Format is one of its words
	a.Date = time.Date(2024, 3, 1, 9, 30, 0, 0, time.FixedZone("", -5*3600))
	a.view = &viewPrint{whole: [16]byte{1, 2, 3}, elems: [numElements]uint16{7, 8, 9}, paras: []paragraph{1 << 60, 2}, quotes: []paragraph{3}}
	a.passSeq = 12345
	a.Err = &archive.PathError{Path: "leak.mbox", Index: 7, Offset: 1234, Detail: "d", Err: fmt.Errorf("%w: 9 bytes", archive.ErrTooLarge)}
	a.Signatures[1].Err = fmt.Errorf("%w: the key is gone", dkim.ErrKeyRevoked)
	for _, df := range DisplayedFields {
		a.Coverage.Fields[df.Key] = FieldSigned
	}

	got := spoolAll(t, &a)
	require.Len(t, got, 1, "one record read back")
	b := got[0]
	assert.Equal(t, a.Err.Error(), b.Err.Error(), "Err's text")
	assert.ErrorIs(t, b.Err, archive.ErrTooLarge, "Err keeps its sentinel")
	p, ok := b.Err.(*archive.PathError)
	require.True(t, ok, "Err comes back an *archive.PathError, not %T", b.Err)
	assert.Equal(t, [4]any{"leak.mbox", 7, int64(1234), "d"}, [4]any{p.Path, p.Index, p.Offset, p.Detail}, "its fields")
	assert.Nil(t, b.Signatures[0].Err, "a signature without an error")
	assert.ErrorIs(t, b.Signatures[1].Err, dkim.ErrKeyRevoked, "a signature's error keeps its sentinel")
	assert.Equal(t, a.Signatures[1].Err.Error(), b.Signatures[1].Err.Error(), "a signature's error's text")
	_, offset := b.Date.Zone()
	assert.Equal(t, -5*3600, offset, "Date keeps its zone offset")
	assert.True(t, a.Date.Equal(b.Date), "Date's instant")
	a.Err, b.Err = nil, nil
	a.Signatures[1].Err, b.Signatures[1].Err = nil, nil
	a.Date, b.Date = time.Time{}, time.Time{}
	assert.Equal(t, &a, b, "every field read back")
}

// The Spool's file gives back what the gob stream of a SpoolEncoder gives
// back, for every message of the repository's test archives: the records
// a run writes do not depend on which one held them.
func TestSpoolMatchesGob(t *testing.T) {
	root := testenv.ModuleRoot(t)
	c := NewChecker(&Options{Keys: corpusKeys(t), Time: checkTime})
	var in []*Assessment
	pass := NewArchivePass()
	for _, dir := range []string{"archive", "adversarial", "benign", "formats", "arc", "sample.mbox"} {
		for m := range archive.Walk(t.Context(), filepath.Join(root, "testdata", dir), nil) {
			a := c.Check(t.Context(), m)
			pass.Add(a)
			in = append(in, a)
		}
	}
	require.Greater(t, len(in), 50, "messages in the test archives")
	var gob bytes.Buffer
	enc := NewSpoolEncoder(&gob)
	for _, a := range in {
		require.NoError(t, enc.Encode(a, nil), "SpoolEncoder.Encode")
	}
	dec := NewSpoolDecoder(&gob)
	for i, got := range spoolAll(t, in...) {
		want, _, err := dec.Decode()
		require.NoError(t, err, "SpoolDecoder.Decode")
		assert.Equal(t, want, got, "record %d (%s#%d)", i, in[i].File, in[i].Index)
	}
}

// A damaged spool file is an error, never a panic or a made-up record.
func TestSpoolDamaged(t *testing.T) {
	var a Assessment
	n := 0
	fillAll(reflect.ValueOf(&a).Elem(), &n)
	a.Format = archive.FormatEML
	var file bytes.Buffer
	sp := NewSpool(&memFile{b: &file})
	require.NoError(t, sp.Write(&a), "Spool.Write")
	require.NoError(t, sp.bw.Flush(), "flush")
	whole := bytes.Clone(file.Bytes())

	for _, tt := range []struct {
		name string
		b    []byte
		want string
	}{
		{"cut inside a record", whole[:len(whole)-5], "the stream ends inside a record"},
		{"cut inside its length", whole[:1], "the stream ends inside a record"},
		{"a bool that is not one", flipLast(whole, 7), errSpoolRecord.Error()},
		{"trailing bytes in a record", lengthen(whole), errSpoolRecord.Error()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf []byte
			_, err := readRecord(bufio.NewReader(bytes.NewReader(tt.b)), &buf)
			require.Error(t, err, "a damaged record")
			assert.Contains(t, err.Error(), tt.want, "the error")
		})
	}
	var buf []byte
	_, err := readRecord(bufio.NewReader(bytes.NewReader(nil)), &buf)
	assert.ErrorIs(t, err, io.EOF, "an empty file holds no record")
}

// flipLast returns b with its last byte (the record's last bool) set to v.
func flipLast(b []byte, v byte) []byte {
	b = bytes.Clone(b)
	b[len(b)-1] = v
	return b
}

// lengthen returns the one record of b with a byte more than the
// assessment's, as its length says.
func lengthen(b []byte) []byte {
	r := bufio.NewReader(bytes.NewReader(b))
	seq, _ := binary.ReadUvarint(r)
	n, _ := binary.ReadUvarint(r)
	rest, _ := io.ReadAll(r)
	out := binary.AppendUvarint(binary.AppendUvarint(nil, seq), n+1)
	return append(append(out, rest...), 0)
}

// memFile is an io.ReadWriteSeeker over a buffer, enough for a Spool
// that is written and not read back.
type memFile struct{ b *bytes.Buffer }

func (m *memFile) Write(p []byte) (int, error)    { return m.b.Write(p) }
func (m *memFile) Read(p []byte) (int, error)     { return 0, errors.New("memFile: no reading") }
func (m *memFile) Seek(int64, int) (int64, error) { return 0, nil }

// FuzzSpoolRecord feeds readAssessment arbitrary records: it must fail or
// return an assessment that, written and read back, stays as it is
// (after the first round trip, which drops what an error cannot keep,
// such as a sentinel named twice).
func FuzzSpoolRecord(f *testing.F) {
	var a Assessment
	n := 0
	fillAll(reflect.ValueOf(&a).Elem(), &n)
	a.Format = archive.FormatEML
	a.Err = errors.New("boom")
	f.Add(appendAssessment(nil, &a))
	f.Add(appendAssessment(nil, newAssessment(&archive.Message{File: "f"})))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		a, err := readAssessment(b)
		if err != nil {
			return
		}
		once, err := readAssessment(appendAssessment(nil, a))
		require.NoError(t, err, "a record read back writes back")
		twice, err := readAssessment(appendAssessment(nil, once))
		require.NoError(t, err, "a record read back writes back")
		assert.Equal(t, once, twice, "written back and read again")
	})
}

// Elements that are all zero value, the shortest the file holds, come
// back as many as went in.
func TestSpoolZeroElements(t *testing.T) {
	a := newAssessment(&archive.Message{File: "f"})
	a.Signatures = make([]SignatureResult, 3)
	a.Signatures[0].Coverage = make([]dkim.FieldCoverage, 2)
	a.ARC.Instances = make([]ARCInstance, 2)
	a.Coverage.Attachments = make([]Attachment, 2)
	a.Evidence = make([]Evidence, 2)
	a.Explanation.Signatures = make([]SignatureAccount, 2)
	a.Explanation.Next = make([]NextStep, 2)
	a.Related = make([]Related, 2)
	want := *a
	want.Signatures = slices.Clone(a.Signatures)
	normalize(&want)
	got := spoolAll(t, a)
	require.Len(t, got, 1, "one record read back")
	assert.Equal(t, &want, got[0], "the record read back")
}

// BenchmarkSpool writes the assessments of the repository's test archives
// to a spool file and reads them back, as RunArchive does, in the Spool's
// own form ("binary") and in the gob stream of a SpoolEncoder ("gob").
func BenchmarkSpool(b *testing.B) {
	root := testenv.ModuleRoot(b)
	c := NewChecker(&Options{Keys: corpusKeys(b), Time: checkTime})
	var in []*Assessment
	pass := NewArchivePass()
	for _, dir := range []string{"archive", "adversarial", "benign", "formats", "arc", "sample.mbox"} {
		for m := range archive.Walk(b.Context(), filepath.Join(root, "testdata", dir), nil) {
			a := c.Check(b.Context(), m)
			pass.Add(a)
			in = append(in, a)
		}
	}
	f, err := os.CreateTemp(b.TempDir(), "spool-*")
	require.NoError(b, err, "create spool")
	defer f.Close()
	rewind := func() {
		_, err := f.Seek(0, io.SeekStart)
		require.NoError(b, err, "seek")
		require.NoError(b, f.Truncate(0), "truncate")
	}
	b.Run("binary", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rewind()
			sp := NewSpool(f)
			for _, a := range in {
				if err := sp.Write(a); err != nil {
					b.Fatal(err)
				}
			}
			for _, err := range sp.All() {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(in)), "ns/record")
	})
	b.Run("gob", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rewind()
			bw := bufio.NewWriterSize(f, 256<<10)
			enc := NewSpoolEncoder(bw)
			for _, a := range in {
				if err := enc.Encode(a, nil); err != nil {
					b.Fatal(err)
				}
			}
			require.NoError(b, bw.Flush(), "flush")
			_, err := f.Seek(0, io.SeekStart)
			require.NoError(b, err, "seek")
			dec := NewSpoolDecoder(bufio.NewReaderSize(f, 256<<10))
			for {
				if _, _, err := dec.Decode(); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(in)), "ns/record")
	})
}
