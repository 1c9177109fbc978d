package spec

// Cases returns the whole catalogue, in the testsuite's order: sections 1 to
// 7, 10, 12 and 13, then this module's own rules ("conn.N"). Each call builds fresh
// values, so callers may keep or change them.
func Cases() []Case {
	var cs []Case
	for _, section := range []func() []Case{
		framing,
		pings,
		reservedBits,
		reservedOpcodes,
		fragmentation,
		utf8Handling,
		closing,
		autoFragmentation,
		compressionPayloads,
		compressionParameters,
		designRules,
	} {
		cs = append(cs, section()...)
	}
	return cs
}
