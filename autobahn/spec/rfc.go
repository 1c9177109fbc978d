package spec

// The sentences of RFC 6455 the cases check, quoted with their sections.
const (
	reqLength = `RFC 6455 §5.2: "If 126, the following 2 bytes interpreted as a 16-bit unsigned integer are the payload length. ` +
		`If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most significant bit MUST be 0) are the payload length."`
	reqReceive = `RFC 6455 §6.2: "Incoming data MUST be parsed as WebSocket frames as defined in Section 5.2."`
	reqPing    = `RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response, unless it already received a Close frame." ` +
		`§5.5.3: "A Pong frame sent in response to a Ping frame must have identical "Application data" as found in the message body of the Ping frame being replied to."`
	reqEveryPing = `RFC 6455 §5.5.2: "Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response, unless it already received a Close frame." ` +
		`(§5.5.3 lets an endpoint answer only the latest of several pings; the testsuite, and this module's design, want every one answered, in order.)`
	reqControlLength   = `RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."`
	reqUnsolicitedPong = `RFC 6455 §5.5.3: "A Pong frame MAY be sent unsolicited. This serves as a unidirectional heartbeat. A response to an unsolicited Pong frame is not expected."`
	reqRSV             = `RFC 6455 §5.2: "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values. ` +
		`If a nonzero value is received and none of the negotiated extensions defines the meaning of such a nonzero value, the receiving endpoint MUST _Fail the WebSocket Connection_."`
	reqOpcode     = `RFC 6455 §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."`
	reqFragmented = `RFC 6455 §5.4: "A fragmented message consists of a single frame with the FIN bit clear and an opcode other than 0, ` +
		`followed by zero or more frames with the FIN bit clear and the opcode set to 0, and terminated by a single frame with the FIN bit set and an opcode of 0."`
	reqSupportFragments = `RFC 6455 §5.4: "Clients and servers MUST support receiving both fragmented and unfragmented messages."`
	reqControlBetween   = `RFC 6455 §5.4: "An endpoint MUST be capable of handling control frames in the middle of a fragmented message."`
	reqInterleave       = `RFC 6455 §5.4: "The fragments of one message MUST NOT be interleaved between the fragments of another message ` +
		`unless an extension has been negotiated that can interpret the interleaving."`
	reqUTF8Valid = `RFC 6455 §5.6: "Note that a particular text frame might include a partial UTF-8 sequence; however, the whole message MUST contain valid UTF-8."`
	reqUTF8Fail  = `RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not, in fact, a valid UTF-8 stream, ` +
		`that endpoint MUST _Fail the WebSocket Connection_."`
	reqUTF8FailFast = reqUTF8Fail + ` The byte stream is invalid from the first impossible byte on, so the endpoint fails there, without waiting for the rest of the message.`
	reqCloseReply   = `RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint MUST send a Close frame in response." ` +
		`"The server MUST close the underlying TCP connection immediately".`
	reqCloseEcho = `RFC 6455 §5.5.1: "If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint MUST send a Close frame in response. ` +
		`(When sending a Close frame in response, the endpoint typically echos the status code it received.)"`
	reqAfterClose = `RFC 6455 §5.5.1: "The application MUST NOT send any more data frames after sending a Close frame." ` +
		`§5.5.2: a Pong is due "unless it already received a Close frame".`
	reqCloseBody = `RFC 6455 §5.5.1: "If there is a body, the first two bytes of the body MUST be a 2-byte unsigned integer (in network byte order) ` +
		`representing a status code with value /code/ defined in Section 7.4."`
	reqCloseReason = `RFC 6455 §5.5.1: "Following the 2-byte integer, the body MAY contain UTF-8-encoded data with value /reason/". ` +
		`§8.1: an endpoint that finds invalid UTF-8 "MUST _Fail the WebSocket Connection_."`
	reqCloseCodeValid = `RFC 6455 §7.4.1 and §7.4.2 define the code; an endpoint that receives it answers the close (§5.5.1: ` +
		`"the endpoint MUST send a Close frame in response. (When sending a Close frame in response, the endpoint typically echos the status code it received.)").`
	reqCloseCodeReserved = `RFC 6455 §7.4.1: "1005 is a reserved value and MUST NOT be set as a status code in a Close control frame by an endpoint." ` +
		`(likewise 1006 and 1015); §7.4.2: "Status codes in the range 0-999 are not used." §10.7: "Incoming data MUST always be validated by both clients and servers."`
	reqCloseCodeUndefined = `RFC 6455 §7.4.2 defines no code at or above 5000; "Status codes in the range 1000-2999 are reserved for definition by this protocol, ` +
		`its future revisions, and extensions". §10.7: "Incoming data MUST always be validated by both clients and servers."`
	reqMasking = `RFC 6455 §5.1: "The server MUST close the connection upon receiving a frame that is not masked." ` +
		`"A client MUST close a connection if it detects a masked frame."`
	reqLimits = `RFC 6455 §10.4: "Implementations that have implementation- and/or platform-specific limitations regarding the frame size or total message size ` +
		`after reassembly from multiple frames MUST protect themselves against exceeding those limits." §7.4.1: 1009 "message that is too big for it to process".`
	reqFailDrop = `RFC 6455 §7.1.7: "An endpoint MUST NOT continue to attempt to process data (including a responding Close frame) from the remote endpoint ` +
		`after being instructed to _Fail the WebSocket Connection_." To fail it, the endpoint "MUST _Close the WebSocket Connection_".`
	reqClientWaits = `RFC 6455 §5.5.1: "The server MUST close the underlying TCP connection immediately; the client SHOULD wait for the server to close the connection".`
)

// The sentences of RFC 7692 (permessage-deflate) the cases check.
const (
	reqDeflate = `RFC 7692 §6: "On a WebSocket connection where a PMCE is in use, this bit indicates whether a message is compressed or not." ` +
		`§7.2.2: "An endpoint uses the following algorithm to decompress a message. 1. Append 4 octets of 0x00 0x00 0xff 0xff ` +
		`to the tail end of the payload of the message. 2. Decompress the resulting data using DEFLATE."`
	reqTakeover = `RFC 7692 §7.2.2: "If the "agreed parameters" contain the "server_no_context_takeover" extension parameter, the client MAY ` +
		`decompress each new message with an empty LZ77 sliding window. Otherwise, the client MUST decompress each new message using ` +
		`the LZ77 sliding window used to process the last compressed message." (and likewise the server, with "client_no_context_takeover")`
	reqNoTakeover = `RFC 7692 §7.2.1: "If the "agreed parameters" contain the "server_no_context_takeover" extension parameter, the server MUST ` +
		`start compressing each new message with an empty LZ77 sliding window." (and likewise the client, with "client_no_context_takeover")`
	reqWindow = `RFC 7692 §7.1.2.1: "By including this parameter in an extension negotiation offer, a client limits the LZ77 sliding window ` +
		`size that the server will use to compress messages." A server's client_max_window_bits limits the client's window likewise (§7.1.2.2).`
	reqCompressedBit = `RFC 7692 §6: "An endpoint MUST NOT set the "Per-Message Compressed" bit of control frames and non-first fragments ` +
		`of a data message. An endpoint receiving such a frame MUST _Fail the WebSocket Connection_."`
	reqInflatedUTF8 = `RFC 7692 §6: "At the receiver, the payload data portion after decompression is subject to the constraints for ` +
		`the original data type again." ` + reqUTF8Fail
	reqNotDeflate = reqDeflate + ` A payload that is not DEFLATE data cannot be; this module fails the connection with 1007 (RFC 6455 §7.4.1: ` +
		`"data within a message that was not consistent with the type of the message").`
	reqInflatedLimit = reqLimits + ` Under permessage-deflate this module's design counts the limit on inflated bytes: a small compressed message may inflate to any size.`
)
