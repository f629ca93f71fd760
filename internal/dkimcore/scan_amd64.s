//go:build amd64 && !purego

#include "textflag.h"

// Vector scans for the body hasher's bulk path (see canon_fast.go). Each
// looks at the byte pairs (p[i], p[i+1]) for i in steps of 32 while p[i+1:i+33]
// is in bounds, and returns the first i whose pair needs rewriting
// (found = true), or how far it got (found = false), leaving the last
// bytes to the caller. Only AVX2 instructions are used; the Go side calls
// these only when the CPU and OS support AVX2.
//
//	simple:  p[i+1] == LF && p[i] != CR
//	relaxed: the same, or p[i] == HTAB, or p[i] == SP && p[i+1] <= 0x20
//
// Registers: SI the data, AX the position, CX and R9 the last starts of a
// 64- and a 32-byte step, Y10 CR, Y11 LF, Y12 SP (also the bound for
// control bytes), Y13 HTAB, all broadcast.

// SIMPLE marks in OUT the bytes of W (p[i:]) that start a bare LF pair,
// given N (p[i+1:]); T is scratch.
#define SIMPLE(W, N, T, OUT) \
	VPCMPEQB Y10, W, T   \ // w == CR
	VPCMPEQB Y11, N, OUT \ // n == LF
	VPANDN   OUT, T, OUT   // LF not after CR

// RELAXED marks in OUT what SIMPLE does, and the tabs of W and the SPs of
// W before a byte of N at or below SP; T and U are scratch.
#define RELAXED(W, N, T, U, OUT) \
	SIMPLE(W, N, T, OUT) \
	VPCMPEQB Y12, W, T   \ // w == SP
	VPMINUB  Y12, N, U   \
	VPCMPEQB U, N, U     \ // n <= 0x20
	VPAND    T, U, U     \
	VPCMPEQB Y13, W, T   \ // w == HTAB
	VPOR     U, OUT, OUT \
	VPOR     T, OUT, OUT

// BROADCAST fills Y with the byte C.
#define BROADCAST(C, X, Y) \
	MOVL $C, BX \
	MOVQ BX, X  \
	VPBROADCASTB X, Y

// PROLOGUE loads the arguments and the loop bounds.
#define PROLOGUE \
	MOVQ p_base+0(FP), SI \
	MOVQ p_len+8(FP), DX  \
	XORQ AX, AX           \
	MOVQ DX, CX           \
	SUBQ $65, CX          \ // last start of a 64-byte step: i+65 <= len
	MOVQ DX, R9           \
	SUBQ $33, R9            // last start of a 32-byte step

// FOUND returns AX plus the index of the lowest bit of BX, found.
#define FOUND \
	BSFL BX, BX           \
	ADDQ BX, AX           \
	MOVQ AX, i+24(FP)     \
	MOVB $1, found+32(FP) \
	VZEROUPPER            \
	RET

// NOTFOUND returns AX, not found.
#define NOTFOUND \
	MOVQ AX, i+24(FP)     \
	MOVB $0, found+32(FP) \
	VZEROUPPER            \
	RET

// func scanRelaxedAVX2(p []byte) (i int, found bool)
TEXT ·scanRelaxedAVX2(SB), NOSPLIT, $0-33
	PROLOGUE
	BROADCAST(0x0d, X10, Y10)
	BROADCAST(0x0a, X11, Y11)
	BROADCAST(0x20, X12, Y12)
	BROADCAST(0x09, X13, Y13)

rloop64:
	CMPQ AX, CX
	JGT  rloop32
	VMOVDQU (SI)(AX*1), Y0
	VMOVDQU 1(SI)(AX*1), Y1
	VMOVDQU 32(SI)(AX*1), Y6
	VMOVDQU 33(SI)(AX*1), Y7
	RELAXED(Y0, Y1, Y2, Y3, Y5)
	RELAXED(Y6, Y7, Y2, Y3, Y8)
	VPOR    Y5, Y8, Y9
	VPTEST  Y9, Y9
	JNZ     rfound64
	ADDQ    $64, AX
	JMP     rloop64

rfound64:
	VPMOVMSKB Y5, BX
	TESTL     BX, BX
	JNZ       rfound
	ADDQ      $32, AX
	VPMOVMSKB Y8, BX
	JMP       rfound

rloop32:
	CMPQ AX, R9
	JGT  rnotfound
	VMOVDQU (SI)(AX*1), Y0
	VMOVDQU 1(SI)(AX*1), Y1
	RELAXED(Y0, Y1, Y2, Y3, Y5)
	VPMOVMSKB Y5, BX
	TESTL     BX, BX
	JNZ       rfound
	ADDQ      $32, AX
	JMP       rloop32

rfound:
	FOUND

rnotfound:
	NOTFOUND

// func scanSimpleAVX2(p []byte) (i int, found bool)
TEXT ·scanSimpleAVX2(SB), NOSPLIT, $0-33
	PROLOGUE
	BROADCAST(0x0d, X10, Y10)
	BROADCAST(0x0a, X11, Y11)

sloop64:
	CMPQ AX, CX
	JGT  sloop32
	VMOVDQU (SI)(AX*1), Y0
	VMOVDQU 1(SI)(AX*1), Y1
	VMOVDQU 32(SI)(AX*1), Y6
	VMOVDQU 33(SI)(AX*1), Y7
	SIMPLE(Y0, Y1, Y2, Y5)
	SIMPLE(Y6, Y7, Y2, Y8)
	VPOR    Y5, Y8, Y9
	VPTEST  Y9, Y9
	JNZ     sfound64
	ADDQ    $64, AX
	JMP     sloop64

sfound64:
	VPMOVMSKB Y5, BX
	TESTL     BX, BX
	JNZ       sfound
	ADDQ      $32, AX
	VPMOVMSKB Y8, BX
	JMP       sfound

sloop32:
	CMPQ AX, R9
	JGT  snotfound
	VMOVDQU (SI)(AX*1), Y0
	VMOVDQU 1(SI)(AX*1), Y1
	SIMPLE(Y0, Y1, Y2, Y5)
	VPMOVMSKB Y5, BX
	TESTL     BX, BX
	JNZ       sfound
	ADDQ      $32, AX
	JMP       sloop32

sfound:
	FOUND

snotfound:
	NOTFOUND
