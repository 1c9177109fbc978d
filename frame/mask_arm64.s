//go:build !purego

#include "textflag.h"

// func maskNEON(b []byte, k uint64) int
//
// XORs b with k repeated, 64 bytes per turn, and returns how many bytes it
// did: len(b) rounded down to 64.
TEXT ·maskNEON(SB), NOSPLIT, $0-40
	MOVD b_base+0(FP), R0
	MOVD b_len+8(FP), R1
	MOVD k+24(FP), R2
	VDUP R2, V0.D2
	AND  $-64, R1, R3
	MOVD R3, ret+32(FP)
	CBZ  R3, done

loop:
	VLD1   (R0), [V1.B16, V2.B16, V3.B16, V4.B16]
	VEOR   V0.B16, V1.B16, V1.B16
	VEOR   V0.B16, V2.B16, V2.B16
	VEOR   V0.B16, V3.B16, V3.B16
	VEOR   V0.B16, V4.B16, V4.B16
	VST1.P [V1.B16, V2.B16, V3.B16, V4.B16], 64(R0)
	SUBS   $64, R3, R3
	BNE    loop

done:
	RET
