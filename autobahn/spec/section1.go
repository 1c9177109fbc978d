package spec

import "fmt"

// framing is section 1 of the testsuite: text and binary messages of every
// length class of RFC 6455 §5.2, the boundaries 125/126, 127/128 and
// 65535/65536 included, echoed back.
func framing() []Case {
	lengths := []int{0, 125, 126, 127, 128, 65535, 65536}
	var cs []Case
	for i, n := range lengths {
		p := string(repeat('*', n))
		cs = append(cs, Case{
			ID:          fmt.Sprintf("1.1.%d", i+1),
			Description: fmt.Sprintf("Send a text message with a payload of %d bytes.", n),
			Requirement: reqLength,
			Steps:       []Step{send(text(p))},
			Want:        echoes(echoText(p)),
		})
	}
	p := string(repeat('*', 65536))
	cs = append(cs, Case{
		ID:          "1.1.8",
		Description: "Send a text message with a payload of 65536 bytes, written in chops of 997 bytes.",
		Requirement: reqLength,
		Steps:       []Step{sendChopped(997, text(p))},
		Want:        echoes(echoText(p)),
	})
	for i, n := range lengths {
		b := repeat(0xfe, n)
		cs = append(cs, Case{
			ID:          fmt.Sprintf("1.2.%d", i+1),
			Description: fmt.Sprintf("Send a binary message with a payload of %d bytes 0xfe.", n),
			Requirement: reqLength,
			Steps:       []Step{send(bin(b))},
			Want:        echoes(echoBinary(b)),
		})
	}
	b := repeat(0xfe, 65536)
	cs = append(cs, Case{
		ID:          "1.2.8",
		Description: "Send a binary message with a payload of 65536 bytes 0xfe, written in chops of 997 bytes.",
		Requirement: reqLength,
		Steps:       []Step{sendChopped(997, bin(b))},
		Want:        echoes(echoBinary(b)),
	})
	return cs
}
