package main

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/seed865a0254/websocket/conn"
	"github.com/seed865a0254/websocket/frame"
)

// action is what a line of input asks for.
type action int

const (
	actSend  action = iota // send a message
	actPing                // send a ping and show the round-trip time
	actClose               // start the closing handshake
	actQuit                // close with 1000 and exit
	actHelp                // show the commands
)

// command is one parsed line of input.
type command struct {
	act    action
	to     int // with -l: the client it is for; 0 means every client
	typ    conn.MessageType
	data   []byte // the message, or the ping's payload
	code   conn.StatusCode
	reason string
}

// syntax says how lines are read.
type syntax struct {
	commands    bool // /commands (a terminal); otherwise every line is a message
	targets     bool // "@ID line" (server mode, with commands)
	binaryLines bool // -b: a line is binary data, encoded
	base64      bool // -b64: binary data is written in base64, not hex
}

const helpText = `commands: /ping [text]  /binary DATA  /close [code [reason]]  /quit  /help
a line starting with // sends it with one / less`

const targetHelp = `with -l: "@ID line" or "@ID /command" is for client ID only`

// parse reads one line of input (without its line ending).
func (s syntax) parse(line string) (command, error) {
	if !s.commands {
		return s.message(line)
	}
	var cmd command
	if s.targets && strings.HasPrefix(line, "@") {
		id, rest, _ := strings.Cut(line[1:], " ")
		n, err := strconv.Atoi(id)
		if err != nil || n <= 0 {
			return command{}, fmt.Errorf("%q: want @ID, where ID is a client's number", "@"+id)
		}
		if rest == "" {
			return command{}, fmt.Errorf("@%d: a line or a command must follow", n)
		}
		cmd, err := s.parse(rest)
		cmd.to = n
		return cmd, err
	}
	if !strings.HasPrefix(line, "/") {
		return s.message(line)
	}
	if strings.HasPrefix(line, "//") {
		return s.message(line[1:])
	}
	name, arg, _ := strings.Cut(line, " ")
	switch name {
	case "/ping":
		if len(arg) > 125 {
			return command{}, fmt.Errorf("/ping: %d bytes of text, a ping carries at most 125", len(arg))
		}
		cmd = command{act: actPing, data: []byte(arg)}
	case "/binary":
		data, err := s.decode(arg)
		if err != nil {
			return command{}, fmt.Errorf("/binary: %v", err)
		}
		cmd = command{act: actSend, typ: conn.Binary, data: data}
	case "/close":
		return parseClose(arg)
	case "/quit":
		cmd = command{act: actQuit, code: conn.StatusNormalClosure}
	case "/help":
		cmd = command{act: actHelp}
	default:
		return command{}, fmt.Errorf("unknown command %s (/help lists them; // sends a line starting with /)", name)
	}
	return cmd, nil
}

// message is a line sent as a message: text, or binary data with -b.
func (s syntax) message(line string) (command, error) {
	if s.binaryLines {
		data, err := s.decode(line)
		if err != nil {
			return command{}, err
		}
		return command{act: actSend, typ: conn.Binary, data: data}, nil
	}
	if !utf8.ValidString(line) {
		return command{}, errors.New("the line is not valid UTF-8, so it cannot be a text message (send it as binary: -b)")
	}
	return command{act: actSend, typ: conn.Text, data: []byte(line)}, nil
}

// decode reads binary data written in hex (spaces allowed between bytes) or,
// with -b64, in standard base64.
func (s syntax) decode(text string) ([]byte, error) {
	if s.base64 {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
		if err != nil {
			return nil, fmt.Errorf("%q is not base64: %v", text, err)
		}
		return b, nil
	}
	b, err := hex.DecodeString(strings.ReplaceAll(text, " ", ""))
	if err != nil {
		return nil, fmt.Errorf("%q is not hex: %v", text, err)
	}
	return b, nil
}

// parseClose reads the arguments of /close: [code [reason]].
func parseClose(arg string) (command, error) {
	cmd := command{act: actClose, code: conn.StatusNormalClosure}
	codeText, reason, _ := strings.Cut(strings.TrimLeft(arg, " "), " ")
	if codeText == "" {
		return cmd, nil
	}
	n, err := strconv.ParseUint(codeText, 10, 16)
	if err != nil {
		return command{}, fmt.Errorf("/close: %q is not a close code (a number such as 1000 or 4000)", codeText)
	}
	cmd.code, cmd.reason = conn.StatusCode(n), reason
	// RFC 6455 §7.4: codes such as 1005 and 1006 "MUST NOT be set as a
	// status code in a Close control frame by an endpoint"; CheckClose also
	// holds the reason to 123 bytes of UTF-8 (§5.5: a control frame's payload
	// is at most 125 bytes).
	if err := frame.CheckClose(cmd.code, cmd.reason); err != nil {
		if !cmd.code.ValidOnWire() {
			return command{}, fmt.Errorf("/close: code %s is not valid on the wire (use 1000-1003, 1007-1014 or 3000-4999)", cmd.code)
		}
		return command{}, fmt.Errorf("/close: %s", strings.TrimPrefix(err.Error(), "frame: "))
	}
	return cmd, nil
}
