package provenance

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// The archive pass keeps its fingerprints, paragraphs and strings in large
// chunks that hold no pointers. Where the system allows it (chunks_mmap.go)
// the chunks are anonymous memory mapped outside the Go heap: the garbage
// collector neither scans them nor counts them in the heap goal, so that
// the process grows by what the fingerprints hold and not by twice that
// (the heap goal is twice the live heap by default). Elsewhere they are
// ordinary heap slices.

// A chunkPool owns the chunks of one ArchivePass and releases them
// together: when the pass is released, or when the garbage collector finds
// the pass unreachable.
type chunkPool struct {
	regions  [][]byte     // the chunks mapped outside the heap
	mapped   atomic.Int64 // bytes mapped outside the heap and not yet released (read by tests while a cleanup may run)
	released atomic.Bool  // set by the first release: the cleanup may run after an explicit one
}

// chunkOf returns an empty slice of capacity n of a pointer-free type T,
// zeroed, from pool. The memory stays valid until pool.release: whoever
// holds a slice from it must keep the owner of pool reachable while using
// it (runtime.KeepAlive).
func chunkOf[T any](pool *chunkPool, n int) []T {
	var zero T
	size := int(unsafe.Sizeof(zero)) * n
	if size == 0 {
		return make([]T, 0, n)
	}
	b := pool.alloc(size)
	if b == nil {
		return make([]T, 0, n)
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)[:0]
}

// alloc returns size bytes of zeroed memory outside the Go heap, or nil
// when the system offers none (the caller then uses the heap).
func (pool *chunkPool) alloc(size int) []byte {
	if pool == nil || pool.released.Load() {
		return nil // a released pool maps nothing more: no cleanup would unmap it
	}
	b := mapChunk(size)
	if b != nil {
		pool.regions = append(pool.regions, b)
		pool.mapped.Add(int64(len(b)))
	}
	return b
}

// release unmaps every chunk of pool, once. No slice from it may be used
// after.
func (pool *chunkPool) release() {
	if !pool.released.CompareAndSwap(false, true) {
		return
	}
	for _, b := range pool.regions {
		unmapChunk(b)
	}
	pool.regions = nil
	pool.mapped.Store(0)
}

// newChunkPool returns a pool whose chunks are released when owner becomes
// unreachable, if owner.release was not called before.
func newChunkPool[T any](owner *T) *chunkPool {
	pool := &chunkPool{}
	runtime.AddCleanup(owner, (*chunkPool).release, pool)
	return pool
}

// noCopy makes go vet (copylocks) report a copy of the struct that holds
// it: an ArchivePass copied by value would share its chunks with the
// original, which frees them when it is released or becomes unreachable.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
