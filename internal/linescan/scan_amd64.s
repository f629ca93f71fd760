//go:build amd64 && !purego

#include "textflag.h"

// func scanAfterLF(b []byte, from, blocks int, c byte) int
//
// Each block compares the 32 bytes at b[i] with c and the 32 bytes at
// b[i-1] with a line feed; the first bit set in both masks is the answer.
TEXT ·scanAfterLF(SB), NOSPLIT, $0-56
	MOVQ    b_base+0(FP), SI
	MOVQ    from+24(FP), AX
	MOVQ    blocks+32(FP), CX
	MOVBLZX c+40(FP), DX
	MOVQ    DX, X1
	VPBROADCASTB X1, Y1
	MOVL    $0x0a, DX
	MOVQ    DX, X2
	VPBROADCASTB X2, Y2

loop:
	VMOVDQU   (SI)(AX*1), Y3
	VMOVDQU   -1(SI)(AX*1), Y4
	VPCMPEQB  Y1, Y3, Y3
	VPCMPEQB  Y2, Y4, Y4
	VPAND     Y3, Y4, Y3
	VPMOVMSKB Y3, DX
	TESTL     DX, DX
	JNZ       found
	ADDQ      $32, AX
	DECQ      CX
	JNZ       loop
	VZEROUPPER
	MOVQ      $-1, ret+48(FP)
	RET

found:
	VZEROUPPER
	BSFL DX, DX
	ADDQ DX, AX
	MOVQ AX, ret+48(FP)
	RET
