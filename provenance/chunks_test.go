package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pointerFree reports whether values of t hold no pointer, so that they
// may lie in memory the garbage collector does not scan.
func pointerFree(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return pointerFree(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !pointerFree(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// TestChunkTypesPointerFree holds every type the archive pass keeps in
// chunks (possibly outside the heap) to holding no pointer, and the
// fingerprint to its size.
func TestChunkTypesPointerFree(t *testing.T) {
	for _, v := range []any{fprint{}, paragraph(0), [32]byte{}, byte(0)} {
		assert.True(t, pointerFree(reflect.TypeOf(v)), "%T holds a pointer", v)
	}
	assert.LessOrEqual(t, unsafe.Sizeof(fprint{}), uintptr(120), "fprint grew")
}

func TestChunkOf(t *testing.T) {
	pool := &chunkPool{}
	c := chunkOf[fprint](pool, printChunk)
	require.Equal(t, 0, len(c))
	require.Equal(t, printChunk, cap(c))
	c = c[:cap(c)]
	for i := range c {
		require.Equal(t, fprint{}, c[i], "chunk not zeroed at %d", i)
		c[i].msgID = uint64(i) + 1
	}
	assert.Equal(t, uint64(printChunk), c[printChunk-1].msgID)
	if mapChunk(1) == nil {
		t.Skip("no memory outside the heap on this system: the chunks are heap slices")
	}
	assert.Equal(t, int64(printChunk)*int64(unsafe.Sizeof(fprint{})), pool.mapped.Load())
	pool.release()
	assert.Zero(t, pool.mapped.Load())
	assert.Nil(t, pool.regions)
}

// TestArchivePassReleased checks that the memory a pass maps outside the
// heap is returned when the pass becomes unreachable, without a call: a
// library user who runs many passes does not leak.
func TestArchivePassReleased(t *testing.T) {
	if m := mapChunk(1); m == nil {
		t.Skip("no memory outside the heap on this system")
	} else {
		unmapChunk(m)
	}
	pool := func() *chunkPool {
		p := NewArchivePass()
		for i := range 10 {
			p.Add(&Assessment{ID: fmt.Sprint(i), File: "a.mbox", Verdict: VerdictUnverifiable, MessageID: fmt.Sprintf("m%d@x", i%3)})
		}
		p.Summary()
		return p.pool
	}()
	require.NotZero(t, pool.mapped.Load())
	deadline := time.Now().Add(10 * time.Second)
	for pool.mapped.Load() != 0 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	assert.Zero(t, pool.mapped.Load(), "the chunks of an unreachable pass were not released")
}

// TestArchivePassRelease checks that Release unmaps the pass's memory at
// once, and that a released pool maps nothing more (nothing would unmap
// it: its cleanup has nothing left to do).
func TestArchivePassRelease(t *testing.T) {
	if m := mapChunk(1); m == nil {
		t.Skip("no memory outside the heap on this system")
	} else {
		unmapChunk(m)
	}
	p := NewArchivePass()
	for i := range 10 {
		p.Add(&Assessment{ID: fmt.Sprint(i), File: "a.mbox", Verdict: VerdictUnverifiable, MessageID: fmt.Sprintf("m%d@x", i%3)})
	}
	sum := p.Summary()
	require.Equal(t, 10, sum.Messages, "the pass saw every message")
	require.NotZero(t, p.pool.mapped.Load(), "the pass mapped its chunks")
	p.Release()
	assert.Zero(t, p.pool.mapped.Load(), "Release unmapped the chunks")
	assert.Nil(t, p.pool.alloc(1<<16), "a released pool maps no new chunk")
	p.Release() // a second Release does nothing
	assert.Zero(t, p.pool.mapped.Load())
}

// TestArchivePassIndex compares the pass's sorted Message-ID index, its
// count of missing references and its IDs with a plain map-based account
// of the same generated messages: copies groups in archive order, the
// groups replies find their parent in, and every ID given back as given.
func TestArchivePassIndex(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		n := 1 + rng.IntN(400)
		ids := 1 + rng.IntN(n)
		msgID := func() string {
			if rng.IntN(10) == 0 {
				return ""
			}
			return fmt.Sprintf("m%d@example.com", rng.IntN(2*ids)) // about half are never held
		}
		p := NewArchivePass()
		groups := map[uint64][]int32{}
		refs := map[uint64]bool{}
		var all []string
		for i := range n {
			a := &Assessment{File: fmt.Sprintf("f%d", i/7), Index: i, Verdict: Verdict(rng.IntN(4)), MessageID: msgID(), InReplyTo: msgID()}
			switch rng.IntN(4) {
			case 0:
				h := sha256.Sum256(fmt.Append(nil, seed, i))
				a.ID = hex.EncodeToString(h[:])
			case 1:
				a.ID = fmt.Sprintf("%X", sha256.Sum256(fmt.Append(nil, i))) // upper case: kept as text
			case 2:
				a.ID = fmt.Sprintf("id-%d", i)
			default:
				a.ID = ""
			}
			for range rng.IntN(4) {
				a.References = append(a.References, msgID())
			}
			all = append(all, a.ID)
			if a.Verdict != VerdictNone {
				if h := idHash(a.MessageID); h != 0 {
					groups[h] = append(groups[h], int32(i))
				}
				parent := idHash(a.InReplyTo)
				if parent == 0 && len(a.References) > 0 {
					parent = idHash(a.References[len(a.References)-1])
				}
				if parent != 0 {
					refs[parent] = true
				}
				for _, r := range a.References {
					refs[idHash(r)] = true
				}
			}
			p.Add(a)
		}
		for i, id := range all {
			require.Equal(t, id, p.id(int32(i)), "seed %d: ID of message %d", seed, i)
		}
		p.indexIDs()
		for h, g := range groups {
			require.True(t, slices.Equal(g, p.group(h)), "seed %d: group %x: %v, want %v", seed, h, p.group(h), g)
		}
		missing := 0
		for h := range refs {
			if groups[h] == nil {
				missing++
				require.Empty(t, p.group(h), "seed %d", seed)
			}
		}
		require.Equal(t, missing, p.Summary().MissingReferences, "seed %d", seed)
	}
}
