package spec

import "errors"

// reach walks the DEFLATE stream b (RFC 1951) and returns the longest
// back-reference distance it uses. The peer checks with it that a sender
// kept to its agreed LZ77 window (RFC 7692 §7.1.2), which compress/flate's
// reader does not: that reader keeps a 32 KiB history and decodes any
// distance up to it. reach produces no output. It stops after a final block,
// or where b ends between blocks (the end of a message, RFC 7692 §7.2.2); it
// fails on a malformed stream and on one that ends inside a block.
func reach(b []byte) (int, error) {
	r := bitReader{b: b}
	longest := 0
	for !r.atEnd() {
		final, err := r.take(1)
		if err != nil {
			return 0, err
		}
		kind, err := r.take(2)
		if err != nil {
			return 0, err
		}
		switch kind {
		case 0:
			err = r.skipStored()
		case 1:
			err = r.codes(&fixedLiterals, &fixedDistances, &longest)
		case 2:
			var lit, dist huffman
			if lit, dist, err = r.dynamicTables(); err == nil {
				err = r.codes(&lit, &dist, &longest)
			}
		default:
			err = errors.New("deflate: reserved block type 3")
		}
		if err != nil {
			return 0, err
		}
		if final == 1 {
			break
		}
	}
	return longest, nil
}

var errTruncated = errors.New("deflate: the stream ends inside a block")

// bitReader reads a DEFLATE stream's bits, least significant first.
type bitReader struct {
	b    []byte
	pos  int    // next byte to load
	bits uint32 // loaded bits not yet taken
	n    uint   // how many
}

// atEnd reports whether nothing but the padding of the last byte is left:
// no block fits in fewer than 8 bits.
func (r *bitReader) atEnd() bool { return r.pos == len(r.b) && r.n < 8 }

func (r *bitReader) take(n uint) (int, error) {
	for r.n < n {
		if r.pos == len(r.b) {
			return 0, errTruncated
		}
		r.bits |= uint32(r.b[r.pos]) << r.n
		r.pos++
		r.n += 8
	}
	v := int(r.bits & (1<<n - 1))
	r.bits >>= n
	r.n -= n
	return v, nil
}

// skipStored skips a block stored without compression: the rest of the
// current byte, LEN and its complement NLEN, then LEN bytes (RFC 1951
// §3.2.4).
func (r *bitReader) skipStored() error {
	r.bits >>= r.n % 8
	r.n -= r.n % 8
	length, err := r.take(16)
	if err != nil {
		return err
	}
	nlen, err := r.take(16)
	if err != nil {
		return err
	}
	if length != ^nlen&0xffff {
		return errors.New("deflate: stored block length does not match its complement")
	}
	r.pos -= int(r.n / 8) // give back the whole bytes loaded ahead
	r.bits, r.n = 0, 0
	if len(r.b)-r.pos < length {
		return errTruncated
	}
	r.pos += length
	return nil
}

// huffman is a canonical Huffman code (RFC 1951 §3.2.2): how many codes
// have each length, and the symbols in code order.
type huffman struct {
	count  [16]int
	symbol []int
}

// newHuffman builds the code for the given code lengths (0: symbol unused).
// An over-subscribed set of lengths is an error; an incomplete one is not
// (a distance code may have a single code).
func newHuffman(lengths []int) (huffman, error) {
	var h huffman
	for _, l := range lengths {
		h.count[l]++
	}
	left := 1
	for l := 1; l < 16; l++ {
		left = left<<1 - h.count[l]
		if left < 0 {
			return h, errors.New("deflate: over-subscribed Huffman code")
		}
	}
	var start [16]int
	for l := 1; l < 15; l++ {
		start[l+1] = start[l] + h.count[l]
	}
	h.symbol = make([]int, start[15]+h.count[15])
	for sym, l := range lengths {
		if l != 0 {
			h.symbol[start[l]] = sym
			start[l]++
		}
	}
	return h, nil
}

// decode reads one symbol, bit by bit: codes of each length are
// consecutive integers, the shorter ones first.
func (r *bitReader) decode(h *huffman) (int, error) {
	code, first, index := 0, 0, 0
	for l := 1; l < 16; l++ {
		bit, err := r.take(1)
		if err != nil {
			return 0, err
		}
		code |= bit
		if code-first < h.count[l] {
			return h.symbol[index+code-first], nil
		}
		index += h.count[l]
		first = (first + h.count[l]) << 1
		code <<= 1
	}
	return 0, errors.New("deflate: invalid Huffman code")
}

// The extra bits of length symbols 257..285, and the base values and extra
// bits of distance symbols 0..29 (RFC 1951 §3.2.5).
var (
	lengthExtra = [29]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

// The fixed codes of RFC 1951 §3.2.6.
var fixedLiterals, fixedDistances = func() (huffman, huffman) {
	var lit [288]int
	for i := range lit {
		switch {
		case i < 144:
			lit[i] = 8
		case i < 256:
			lit[i] = 9
		case i < 280:
			lit[i] = 7
		default:
			lit[i] = 8
		}
	}
	var dist [30]int
	for i := range dist {
		dist[i] = 5
	}
	l, _ := newHuffman(lit[:])
	d, _ := newHuffman(dist[:])
	return l, d
}()

// codeLengthOrder is the order of the code length code's lengths in a
// dynamic block header (RFC 1951 §3.2.7).
var codeLengthOrder = [19]int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// dynamicTables reads the header of a block with dynamic Huffman codes
// (RFC 1951 §3.2.7) and returns its literal/length and distance codes.
func (r *bitReader) dynamicTables() (lit, dist huffman, err error) {
	nlit, err := r.take(5)
	if err != nil {
		return lit, dist, err
	}
	ndist, err := r.take(5)
	if err != nil {
		return lit, dist, err
	}
	nclen, err := r.take(4)
	if err != nil {
		return lit, dist, err
	}
	nlit, ndist, nclen = nlit+257, ndist+1, nclen+4
	if nlit > 286 || ndist > 30 {
		return lit, dist, errors.New("deflate: too many codes in a dynamic block")
	}
	var clen [19]int
	for i := range nclen {
		if clen[codeLengthOrder[i]], err = r.take(3); err != nil {
			return lit, dist, err
		}
	}
	lencode, err := newHuffman(clen[:])
	if err != nil {
		return lit, dist, err
	}
	lengths := make([]int, 0, nlit+ndist)
	for len(lengths) < nlit+ndist {
		sym, err := r.decode(&lencode)
		if err != nil {
			return lit, dist, err
		}
		if sym < 16 {
			lengths = append(lengths, sym)
			continue
		}
		repeat, value := 0, 0
		switch sym {
		case 16:
			if len(lengths) == 0 {
				return lit, dist, errors.New("deflate: a repeated code length with none before it")
			}
			value = lengths[len(lengths)-1]
			repeat, err = r.take(2)
			repeat += 3
		case 17:
			repeat, err = r.take(3)
			repeat += 3
		default:
			repeat, err = r.take(7)
			repeat += 11
		}
		if err != nil {
			return lit, dist, err
		}
		if len(lengths)+repeat > nlit+ndist {
			return lit, dist, errors.New("deflate: code lengths overflow the header's counts")
		}
		for range repeat {
			lengths = append(lengths, value)
		}
	}
	if lengths[256] == 0 {
		return lit, dist, errors.New("deflate: a dynamic block without an end-of-block code")
	}
	if lit, err = newHuffman(lengths[:nlit]); err != nil {
		return lit, dist, err
	}
	dist, err = newHuffman(lengths[nlit:])
	return lit, dist, err
}

// codes reads the compressed data of a block up to its end-of-block code,
// raising *longest to the longest distance met.
func (r *bitReader) codes(lit, dist *huffman, longest *int) error {
	for {
		sym, err := r.decode(lit)
		switch {
		case err != nil:
			return err
		case sym < 256:
			continue
		case sym == 256:
			return nil
		case sym > 285:
			return errors.New("deflate: invalid length symbol")
		}
		if _, err := r.take(lengthExtra[sym-257]); err != nil {
			return err
		}
		dsym, err := r.decode(dist)
		if err != nil {
			return err
		}
		if dsym >= 30 {
			return errors.New("deflate: invalid distance symbol")
		}
		extra, err := r.take(distExtra[dsym])
		if err != nil {
			return err
		}
		*longest = max(*longest, distBase[dsym]+extra)
	}
}
