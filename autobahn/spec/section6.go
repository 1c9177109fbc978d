package spec

import (
	"encoding/hex"
	"fmt"
	"time"
)

// kosme is the Greek word "κόσμε" in UTF-8: 2-, 3- and 2-byte sequences.
const kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"

// utf8Handling is section 6 of the testsuite: valid text echoed whatever its
// fragmentation, invalid text failing the connection with 1007, as early as
// the first impossible byte (6.4), and the sequences of Markus Kuhn's UTF-8
// decoder test (6.5 onwards).
func utf8Handling() []Case {
	hello := "Hello-µ@ßöäüàá-UTF-8!!"
	helloA, helloB := "Hello-µ@ßöä", "üàá-UTF-8!!"
	oneBytePerFrame := func(s string) []Frame { return fragments(1, []byte(s), 1) }

	cs := []Case{
		{
			ID:          "6.1.1",
			Description: "Send a text message with an empty payload.",
			Requirement: reqReceive,
			Steps:       []Step{send(text(""))},
			Want:        echoes(echoText("")),
		},
		{
			ID:          "6.1.2",
			Description: "Send a text message in 3 fragments, each of length 0.",
			Requirement: reqSupportFragments,
			Steps:       []Step{send(text("").more(), cont("").more(), cont(""))},
			Want:        echoes(echoText("")),
		},
		{
			ID:          "6.1.3",
			Description: "Send a text message in 3 fragments, the first and the last of length 0.",
			Requirement: reqSupportFragments,
			Steps:       []Step{send(text("").more(), cont("middle frame payload").more(), cont(""))},
			Want:        echoes(echoText("middle frame payload")),
		},
		{
			ID:          "6.2.1",
			Description: "Send a valid UTF-8 text message in one frame: " + hello,
			Requirement: reqUTF8Valid,
			Steps:       []Step{send(text(hello))},
			Want:        echoes(echoText(hello)),
		},
		{
			ID:          "6.2.2",
			Description: "Send a valid UTF-8 text message in 2 fragments, cut at a code point boundary.",
			Requirement: reqUTF8Valid,
			Steps:       []Step{send(text(helloA).more(), cont(helloB))},
			Want:        echoes(echoText(hello)),
		},
		{
			ID:          "6.2.3",
			Description: "Send a valid UTF-8 text message in fragments of 1 byte, so frames end inside code points.",
			Requirement: reqUTF8Valid,
			Steps:       []Step{send(oneBytePerFrame(hello)...)},
			Want:        echoes(echoText(hello)),
		},
		{
			ID:          "6.2.4",
			Description: "Send the valid UTF-8 text message κόσμε in fragments of 1 byte.",
			Requirement: reqUTF8Valid,
			Steps:       []Step{send(oneBytePerFrame(kosme)...)},
			Want:        echoes(echoText(kosme)),
		},
	}

	// κόσμε, a UTF-16 surrogate (invalid at its second byte, the 13th of
	// the message), then "edited".
	bad := kosme + "\xed\xa0\x80" + "edited"
	cs = append(cs,
		Case{
			ID:          "6.3.1",
			Description: "Send an invalid UTF-8 text message in one frame: 0x" + hex.EncodeToString([]byte(bad)),
			Requirement: reqUTF8Fail,
			Steps:       []Step{send(text(bad))},
			Want:        fails(invalidData),
		},
		Case{
			ID:          "6.3.2",
			Description: "Send the invalid UTF-8 text message of 6.3.1 in fragments of 1 byte.",
			Requirement: reqUTF8Fail,
			Steps:       []Step{send(oneBytePerFrame(bad)...)},
			Want:        fails(invalidData),
		},
	)

	// Fail fast: κόσμε, then U+110000 as a 4-byte sequence (impossible at
	// its second byte, 0x90), then "edited". The peer waits between the
	// parts; the close must come after the part holding 0x90, before the
	// rest is sent.
	part1, part2, part3 := kosme, "\xf4\x90\x80\x80", "edited"
	whole := part1 + part2 + part3
	const settle = 100 * time.Millisecond
	inFrames := func(a, b, c string) []Step {
		return []Step{
			send(text(a).more()), quiet(settle),
			send(cont(b).more()), awaitClose(),
			send(cont(c)),
		}
	}
	inChops := func(a, b, c string) []Step {
		return []Step{
			sendHeader(Frame{Opcode: 1, Fin: true, Length: int64(len(whole))}),
			sendData([]byte(a)), quiet(settle),
			sendData([]byte(b)), awaitClose(),
			sendData([]byte(c)),
		}
	}
	cs = append(cs,
		Case{
			ID: "6.4.1",
			Description: "Send an invalid UTF-8 text message in 3 frames: valid κόσμε, a pause, then the frame holding U+110000 " +
				"(f4 90 80 80), then \"edited\". The close must follow the second frame, before the third is sent.",
			Requirement: reqUTF8FailFast,
			Steps:       inFrames(part1, part2, part3),
			Want:        fails(invalidData),
		},
		Case{
			ID: "6.4.2",
			Description: "As 6.4.1, but the second frame holds only the byte that makes the text invalid: " +
				"κόσμε f4 | 90 | 80 80 \"edited\".",
			Requirement: reqUTF8FailFast,
			Steps:       inFrames(whole[:12], whole[12:13], whole[13:]),
			Want:        fails(invalidData),
		},
		Case{
			ID: "6.4.3",
			Description: "As 6.4.1, but one frame whose payload is written in 3 chops: κόσμε | f4 90 80 80 | \"edited\". " +
				"The close must follow the second chop, before the third is sent.",
			Requirement: reqUTF8FailFast,
			Steps:       inChops(part1, part2, part3),
			Want:        failsLingering(invalidData),
			Settings:    lingering,
		},
		Case{
			ID:          "6.4.4",
			Description: "As 6.4.2, but one frame whose payload is written in 3 chops: κόσμε f4 | 90 | 80 80 \"edited\".",
			Requirement: reqUTF8FailFast,
			Steps:       inChops(whole[:12], whole[12:13], whole[13:]),
			Want:        failsLingering(invalidData),
			Settings:    lingering,
		},
	)

	for i, g := range utf8Sequences() {
		for j, s := range g.seqs {
			c := Case{
				ID:          fmt.Sprintf("6.%d.%d", i+5, j+1),
				Requirement: reqUTF8Valid,
				Steps:       []Step{send(text(s.payload))},
				Want:        echoes(echoText(s.payload)),
			}
			if s.valid {
				c.Description = fmt.Sprintf("%s: send a valid UTF-8 text message in one frame: 0x%x", g.name, s.payload)
			} else {
				c.Description = fmt.Sprintf("%s: send an invalid UTF-8 text message in one frame: 0x%x", g.name, s.payload)
				c.Requirement = reqUTF8Fail
				c.Want = fails(invalidData)
			}
			cs = append(cs, c)
		}
	}
	return cs
}

// utf8Seq is one payload of the UTF-8 decoder test, with its validity.
type utf8Seq struct {
	valid   bool
	payload string
}

// utf8Group is a titled group of payloads: the testsuite numbers them 6.5,
// 6.6, ... in this order.
type utf8Group struct {
	name string
	seqs []utf8Seq
}

func valid(ps ...string) []utf8Seq   { return seqs(true, ps) }
func invalid(ps ...string) []utf8Seq { return seqs(false, ps) }

func seqs(ok bool, ps []string) []utf8Seq {
	s := make([]utf8Seq, len(ps))
	for i, p := range ps {
		s[i] = utf8Seq{ok, p}
	}
	return s
}

// utf8Sequences lists the groups of the testsuite's sections 6.5 to 6.23,
// taken from Markus Kuhn's "UTF-8 decoder capability and stress test".
func utf8Sequences() []utf8Group {
	// Every prefix of κόσμε: complete where a code point ends.
	var prefixes []utf8Seq
	for n := 1; n <= len(kosme); n++ {
		switch n {
		case 2, 5, 7, 9, 11:
			prefixes = append(prefixes, utf8Seq{true, kosme[:n]})
		default:
			prefixes = append(prefixes, utf8Seq{false, kosme[:n]})
		}
	}

	// 0x80 to 0xbe: a run of continuation bytes.
	var continuations []byte
	for c := 0x80; c < 0xbf; c++ {
		continuations = append(continuations, byte(c))
	}

	// Every start byte of a range, each followed by a space.
	lonely := func(from, to int) string {
		var b []byte
		for c := from; c < to; c++ {
			b = append(b, byte(c), ' ')
		}
		return string(b)
	}

	missingLast := []string{
		"\xc0", "\xe0\x80", "\xf0\x80\x80", "\xf8\x80\x80\x80", "\xfc\x80\x80\x80\x80",
		"\xdf", "\xef\xbf", "\xf7\xbf\xbf", "\xfb\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf",
	}
	var concatenated string
	for _, s := range missingLast {
		concatenated += s
	}

	// Noncharacters are valid UTF-8 (RFC 3629): U+FFFE, U+FFFF and the last
	// two code points of planes 1 to 16, skipping the overlong forms of
	// plane 0 and the forms above U+10FFFF.
	nonchars := valid("\xef\xbf\xbe", "\xef\xbf\xbf")
	for _, b1 := range []byte{0xf0, 0xf1, 0xf2, 0xf3, 0xf4} {
		for _, b2 := range []byte{0x8f, 0x9f, 0xaf, 0xbf} {
			if b1 == 0xf4 && b2 != 0x8f {
				continue
			}
			for _, b4 := range []byte{0xbe, 0xbf} {
				if b1 == 0xf0 && b2 == 0x8f {
					continue
				}
				nonchars = append(nonchars, utf8Seq{true, string([]byte{b1, b2, 0xbf, b4})})
			}
		}
	}

	return []utf8Group{
		{"Some valid UTF-8 sequences", valid(
			"hello\x24world", "hello\xc2\xa2world", "hello\xe2\x82\xacworld", "hello\xf0\xa4\xad\xa2world", kosme)},
		{"All prefixes of a valid UTF-8 string with multi-byte code points", prefixes},
		{"First possible sequence of a certain length", valid("\x00", "\xc2\x80", "\xe0\xa0\x80", "\xf0\x90\x80\x80")},
		{"First possible sequence of length 5 and 6 (invalid code points)", invalid("\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80")},
		{"Last possible sequence of a certain length", valid("\x7f", "\xdf\xbf", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf")},
		{"Last possible sequence of length 4, 5 and 6 (invalid code points)", invalid(
			"\xf7\xbf\xbf\xbf", "\xfb\xbf\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf\xbf")},
		{"Other boundary conditions", append(valid("\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf"),
			invalid("\xf4\x90\x80\x80")...)},
		{"Unexpected continuation bytes", invalid(
			"\x80", "\xbf", "\x80\xbf", "\x80\xbf\x80", "\x80\xbf\x80\xbf", "\x80\xbf\x80\xbf\x80", "\x80\xbf\x80\xbf\x80\xbf",
			string(continuations))},
		{"Lonely start characters", invalid(
			lonely(0xc0, 0xdf), lonely(0xe0, 0xef), lonely(0xf0, 0xf7), lonely(0xf8, 0xfb), lonely(0xfc, 0xfd))},
		{"Sequences with the last continuation byte missing", invalid(missingLast...)},
		{"Concatenation of incomplete sequences", invalid(concatenated)},
		{"Impossible bytes", invalid("\xfe", "\xff", "\xfe\xfe\xff\xff")},
		{"Overlong forms of an ASCII character", invalid(
			"\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xf8\x80\x80\x80\xaf", "\xfc\x80\x80\x80\x80\xaf")},
		{"Maximum overlong sequences", invalid(
			"\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xf8\x87\xbf\xbf\xbf", "\xfc\x83\xbf\xbf\xbf\xbf")},
		{"Overlong forms of the NUL character", invalid(
			"\xc0\x80", "\xe0\x80\x80", "\xf0\x80\x80\x80", "\xf8\x80\x80\x80\x80", "\xfc\x80\x80\x80\x80\x80")},
		{"Single UTF-16 surrogates", invalid(
			"\xed\xa0\x80", "\xed\xad\xbf", "\xed\xae\x80", "\xed\xaf\xbf", "\xed\xb0\x80", "\xed\xbe\x80", "\xed\xbf\xbf")},
		{"Paired UTF-16 surrogates", invalid(
			"\xed\xa0\x80\xed\xb0\x80", "\xed\xa0\x80\xed\xbf\xbf", "\xed\xad\xbf\xed\xb0\x80", "\xed\xad\xbf\xed\xbf\xbf",
			"\xed\xae\x80\xed\xb0\x80", "\xed\xae\x80\xed\xbf\xbf", "\xed\xaf\xbf\xed\xb0\x80", "\xed\xaf\xbf\xed\xbf\xbf")},
		{"Noncharacters (valid UTF-8)", nonchars},
		{"Unicode specials such as the replacement character", valid(
			"\xef\xbf\xb9", "\xef\xbf\xba", "\xef\xbf\xbb", "\xef\xbf\xbc", "\xef\xbf\xbd", "\xef\xbf\xbe", "\xef\xbf\xbf")},
	}
}
