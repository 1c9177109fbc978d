//go:build !purego

package frame

// hasAVX2 tells whether the CPU and the operating system support AVX2:
// CPUID leaf 1 reports AVX and OSXSAVE, leaf 7 reports AVX2, and XCR0 shows
// that the OS saves the XMM and YMM registers (bits 1 and 2).
var hasAVX2 = func() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const osxsave, avx = 1 << 27, 1 << 28
	if ecx1&(osxsave|avx) != osxsave|avx || xgetbv()&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}()

// maskVectors masks the longest prefix of b that is a multiple of 32 bytes
// with AVX2 and returns its length; maskWords does the rest.
func maskVectors(b []byte, k uint64) int {
	if !hasAVX2 || len(b) < 32 {
		return 0
	}
	return maskAVX2(b, k)
}

//go:noescape
func maskAVX2(b []byte, k uint64) int

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() uint32
