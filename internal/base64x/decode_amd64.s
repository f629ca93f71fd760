//go:build amd64 && !purego

#include "textflag.h"

// The tables and constants of the vector decoding (doc.go), each 16 bytes
// repeated for both 128-bit lanes, as VPSHUFB looks up within a lane.

// nibble keeps the low four bits of each byte.
DATA nibble<>+0(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibble<>+8(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibble<>+16(SB)/8, $0x0f0f0f0f0f0f0f0f
DATA nibble<>+24(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL nibble<>(SB), RODATA|NOPTR, $32

// checkLo by low nibble: 15 11 11 11 11 11 11 11 11 11 13 1a 1b 1b 1b 1a.
DATA checkLo<>+0(SB)/8, $0x1111111111111115
DATA checkLo<>+8(SB)/8, $0x1a1b1b1b1a131111
DATA checkLo<>+16(SB)/8, $0x1111111111111115
DATA checkLo<>+24(SB)/8, $0x1a1b1b1b1a131111
GLOBL checkLo<>(SB), RODATA|NOPTR, $32

// checkHi by high nibble: 10 10 01 02 04 08 04 08, then 10 for 8 to f.
DATA checkHi<>+0(SB)/8, $0x0804080402011010
DATA checkHi<>+8(SB)/8, $0x1010101010101010
DATA checkHi<>+16(SB)/8, $0x0804080402011010
DATA checkHi<>+24(SB)/8, $0x1010101010101010
GLOBL checkHi<>(SB), RODATA|NOPTR, $32

// shift by high nibble (1 for '/'): 0, +16 ('/'), +19 ('+'), +4 (digits),
// -65 (upper case), -65, -71 (lower case), -71, then 0.
DATA shift<>+0(SB)/8, $0xb9b9bfbf04131000
DATA shift<>+8(SB)/8, $0x0000000000000000
DATA shift<>+16(SB)/8, $0xb9b9bfbf04131000
DATA shift<>+24(SB)/8, $0x0000000000000000
GLOBL shift<>(SB), RODATA|NOPTR, $32

// slash is '/' in every byte.
DATA slash<>+0(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA slash<>+8(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA slash<>+16(SB)/8, $0x2f2f2f2f2f2f2f2f
DATA slash<>+24(SB)/8, $0x2f2f2f2f2f2f2f2f
GLOBL slash<>(SB), RODATA|NOPTR, $32

// pairs multiplies the first value of each pair by 64 and the second by
// 1 (bytes 40 01): a<<6 | b in each 16-bit word.
DATA pairs<>+0(SB)/8, $0x0140014001400140
DATA pairs<>+8(SB)/8, $0x0140014001400140
DATA pairs<>+16(SB)/8, $0x0140014001400140
DATA pairs<>+24(SB)/8, $0x0140014001400140
GLOBL pairs<>(SB), RODATA|NOPTR, $32

// quads multiplies the first word of each pair by 4096 and the second by
// 1: a<<18 | b<<12 | c<<6 | d in each 32-bit word.
DATA quads<>+0(SB)/8, $0x0001100000011000
DATA quads<>+8(SB)/8, $0x0001100000011000
DATA quads<>+16(SB)/8, $0x0001100000011000
DATA quads<>+24(SB)/8, $0x0001100000011000
GLOBL quads<>(SB), RODATA|NOPTR, $32

// gather takes bytes 2, 1, 0 of each 32-bit word, most significant
// first, to the first 12 bytes of its lane (80: a zero byte).
DATA gather<>+0(SB)/8, $0x090a040506000102
DATA gather<>+8(SB)/8, $0x808080800c0d0e08
DATA gather<>+16(SB)/8, $0x090a040506000102
DATA gather<>+24(SB)/8, $0x808080800c0d0e08
GLOBL gather<>(SB), RODATA|NOPTR, $32

// join takes 32-bit words 0, 1, 2 (the first lane's 12 bytes) and 4, 5,
// 6 (the second's) to the first 24 bytes; words 3 and 7 fill the rest.
DATA join<>+0(SB)/8, $0x0000000100000000
DATA join<>+8(SB)/8, $0x0000000400000002
DATA join<>+16(SB)/8, $0x0000000600000005
DATA join<>+24(SB)/8, $0x0000000700000003
GLOBL join<>(SB), RODATA|NOPTR, $32

// func decodeBlocks(dst, src []byte) int
TEXT ·decodeBlocks(SB), NOSPLIT, $0-56
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	MOVQ SI, R8
	SHRQ $5, CX
	JZ   done

	VMOVDQU nibble<>(SB), Y8
	VMOVDQU checkLo<>(SB), Y9
	VMOVDQU checkHi<>(SB), Y10
	VMOVDQU shift<>(SB), Y11
	VMOVDQU slash<>(SB), Y12
	VMOVDQU pairs<>(SB), Y13
	VMOVDQU quads<>(SB), Y14
	VMOVDQU gather<>(SB), Y15
	VMOVDQU join<>(SB), Y7

loop:
	VMOVDQU (SI), Y0
	// Checked: Y1 high nibbles, Y2 low nibbles.
	VPSRLD  $4, Y0, Y1
	VPAND   Y8, Y1, Y1
	VPAND   Y8, Y0, Y2
	VPSHUFB Y2, Y9, Y3
	VPSHUFB Y1, Y10, Y4
	VPTEST  Y3, Y4
	JNZ     done

	// Translated: the shift of each high nibble, 1 for '/'.
	VPCMPEQB Y12, Y0, Y5
	VPADDB   Y5, Y1, Y5
	VPSHUFB  Y5, Y11, Y5
	VPADDB   Y5, Y0, Y0

	// Packed: 24 bits per group of four, three bytes each, 24 in all.
	VPMADDUBSW Y13, Y0, Y0
	VPMADDWD   Y14, Y0, Y0
	VPSHUFB    Y15, Y0, Y0
	VPERMD     Y0, Y7, Y0
	VMOVDQU    Y0, (DI)

	ADDQ $32, SI
	ADDQ $24, DI
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	SUBQ R8, SI
	MOVQ SI, ret+48(FP)
	RET
