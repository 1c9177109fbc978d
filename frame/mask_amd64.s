//go:build !purego

#include "textflag.h"

// func maskAVX2(b []byte, k uint64) int
//
// XORs b with k repeated, 128 bytes per turn and then 32, and returns how
// many bytes it did: len(b) rounded down to 32.
TEXT ·maskAVX2(SB), NOSPLIT, $0-40
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	VPBROADCASTQ k+24(FP), Y0
	ANDQ $-32, CX
	MOVQ CX, DX
	ANDQ $-128, DX
	XORQ BX, BX

loop128:
	CMPQ BX, DX
	JAE  loop32
	VPXOR   (SI)(BX*1), Y0, Y1
	VPXOR   32(SI)(BX*1), Y0, Y2
	VPXOR   64(SI)(BX*1), Y0, Y3
	VPXOR   96(SI)(BX*1), Y0, Y4
	VMOVDQU Y1, (SI)(BX*1)
	VMOVDQU Y2, 32(SI)(BX*1)
	VMOVDQU Y3, 64(SI)(BX*1)
	VMOVDQU Y4, 96(SI)(BX*1)
	ADDQ    $128, BX
	JMP     loop128

loop32:
	CMPQ BX, CX
	JAE  done
	VPXOR   (SI)(BX*1), Y0, Y1
	VMOVDQU Y1, (SI)(BX*1)
	ADDQ    $32, BX
	JMP     loop32

done:
	VZEROUPPER
	MOVQ CX, ret+32(FP)
	RET

// func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() uint32
TEXT ·xgetbv(SB), NOSPLIT, $0-4
	MOVL $0, CX
	XGETBV
	MOVL AX, ret+0(FP)
	RET
