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

// func scanRelaxedAVX2(p []byte) (i int, found bool)
TEXT ·scanRelaxedAVX2(SB), NOSPLIT, $0-33
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), DX
	XORQ AX, AX
	MOVL $0x0d, BX
	MOVQ BX, X10
	VPBROADCASTB X10, Y10 // CR
	MOVL $0x0a, BX
	MOVQ BX, X11
	VPBROADCASTB X11, Y11 // LF
	MOVL $0x20, BX
	MOVQ BX, X12
	VPBROADCASTB X12, Y12 // SP, and the bound for control bytes
	MOVL $0x09, BX
	MOVQ BX, X13
	VPBROADCASTB X13, Y13 // HTAB
	MOVQ DX, CX
	SUBQ $65, CX // last start of a 64-byte step: i+65 <= len
	MOVQ DX, R9
	SUBQ $33, R9 // last start of a 32-byte step

rloop64:
	CMPQ AX, CX
	JGT  rloop32
	VMOVDQU (SI)(AX*1), Y0
	VMOVDQU 1(SI)(AX*1), Y1
	VMOVDQU 32(SI)(AX*1), Y6
	VMOVDQU 33(SI)(AX*1), Y7
	VPCMPEQB Y10, Y0, Y2  // w == CR
	VPCMPEQB Y11, Y1, Y3  // n == LF
	VPANDN   Y3, Y2, Y3   // LF not after CR
	VPCMPEQB Y12, Y0, Y4  // w == SP
	VPMINUB  Y12, Y1, Y5
	VPCMPEQB Y5, Y1, Y5   // n <= 0x20
	VPAND    Y4, Y5, Y5
	VPCMPEQB Y13, Y0, Y4  // w == HTAB
	VPOR     Y3, Y5, Y5
	VPOR     Y4, Y5, Y5   // Y5: first half's marks
	VPCMPEQB Y10, Y6, Y2
	VPCMPEQB Y11, Y7, Y3
	VPANDN   Y3, Y2, Y3
	VPCMPEQB Y12, Y6, Y4
	VPMINUB  Y12, Y7, Y8
	VPCMPEQB Y8, Y7, Y8
	VPAND    Y4, Y8, Y8
	VPCMPEQB Y13, Y6, Y4
	VPOR     Y3, Y8, Y8
	VPOR     Y4, Y8, Y8   // Y8: second half's marks
	VPOR     Y5, Y8, Y9
	VPTEST   Y9, Y9
	JNZ      rfound64
	ADDQ     $64, AX
	JMP      rloop64

rfound64:
	VPMOVMSKB Y5, BX
	TESTL     BX, BX
	JNZ       found
	ADDQ      $32, AX
	VPMOVMSKB Y8, BX
	JMP       found

rloop32:
	CMPQ AX, R9
	JGT  notfound
	VMOVDQU (SI)(AX*1), Y0
	VMOVDQU 1(SI)(AX*1), Y1
	VPCMPEQB Y10, Y0, Y2
	VPCMPEQB Y11, Y1, Y3
	VPANDN   Y3, Y2, Y3
	VPCMPEQB Y12, Y0, Y4
	VPMINUB  Y12, Y1, Y5
	VPCMPEQB Y5, Y1, Y5
	VPAND    Y4, Y5, Y5
	VPCMPEQB Y13, Y0, Y4
	VPOR     Y3, Y5, Y5
	VPOR     Y4, Y5, Y5
	VPMOVMSKB Y5, BX
	TESTL    BX, BX
	JNZ      found
	ADDQ     $32, AX
	JMP      rloop32

found:
	BSFL BX, BX
	ADDQ BX, AX
	MOVQ AX, i+24(FP)
	MOVB $1, found+32(FP)
	VZEROUPPER
	RET

notfound:
	MOVQ AX, i+24(FP)
	MOVB $0, found+32(FP)
	VZEROUPPER
	RET

// func scanSimpleAVX2(p []byte) (i int, found bool)
TEXT ·scanSimpleAVX2(SB), NOSPLIT, $0-33
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), DX
	XORQ AX, AX
	MOVL $0x0d, BX
	MOVQ BX, X10
	VPBROADCASTB X10, Y10 // CR
	MOVL $0x0a, BX
	MOVQ BX, X11
	VPBROADCASTB X11, Y11 // LF
	MOVQ DX, CX
	SUBQ $65, CX
	MOVQ DX, R9
	SUBQ $33, R9

sloop64:
	CMPQ AX, CX
	JGT  sloop32
	VMOVDQU (SI)(AX*1), Y0
	VMOVDQU 1(SI)(AX*1), Y1
	VMOVDQU 32(SI)(AX*1), Y6
	VMOVDQU 33(SI)(AX*1), Y7
	VPCMPEQB Y10, Y0, Y2
	VPCMPEQB Y11, Y1, Y5
	VPANDN   Y5, Y2, Y5
	VPCMPEQB Y10, Y6, Y2
	VPCMPEQB Y11, Y7, Y8
	VPANDN   Y8, Y2, Y8
	VPOR     Y5, Y8, Y9
	VPTEST   Y9, Y9
	JNZ      sfound64
	ADDQ     $64, AX
	JMP      sloop64

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
	VPCMPEQB Y10, Y0, Y2
	VPCMPEQB Y11, Y1, Y5
	VPANDN   Y5, Y2, Y5
	VPMOVMSKB Y5, BX
	TESTL    BX, BX
	JNZ      sfound
	ADDQ     $32, AX
	JMP      sloop32

sfound:
	BSFL BX, BX
	ADDQ BX, AX
	MOVQ AX, i+24(FP)
	MOVB $1, found+32(FP)
	VZEROUPPER
	RET

snotfound:
	MOVQ AX, i+24(FP)
	MOVB $0, found+32(FP)
	VZEROUPPER
	RET
