package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/seed865a0254/websocket/conn"
)

func TestParseLine(t *testing.T) {
	terminal := syntax{commands: true}
	server := syntax{commands: true, targets: true}
	pipe := syntax{}
	text := func(s string) command { return command{act: actSend, typ: conn.Text, data: []byte(s)} }
	binary := func(b ...byte) command { return command{act: actSend, typ: conn.Binary, data: b} }
	tests := []struct {
		name    string
		syntax  syntax
		line    string
		want    command
		wantErr string // a part of the error's text
	}{
		{name: "a line is a text message", syntax: terminal, line: "hello there", want: text("hello there")},
		{name: "an empty line is an empty message", syntax: terminal, line: "", want: text("")},
		{name: "// sends a line starting with /", syntax: terminal, line: "//ping", want: text("/ping")},
		{name: "/ping without text", syntax: terminal, line: "/ping", want: command{act: actPing, data: []byte{}}},
		{name: "/ping with text", syntax: terminal, line: "/ping are you there", want: command{act: actPing, data: []byte("are you there")}},
		{name: "/ping text over 125 bytes", syntax: terminal, line: "/ping " + strings.Repeat("x", 126), wantErr: "at most 125"},
		{name: "/binary hex", syntax: terminal, line: "/binary 00ff10", want: binary(0, 0xff, 0x10)},
		{name: "/binary hex with spaces", syntax: terminal, line: "/binary de ad be ef", want: binary(0xde, 0xad, 0xbe, 0xef)},
		{name: "/binary base64", syntax: syntax{commands: true, base64: true}, line: "/binary AP8Q", want: binary(0, 0xff, 0x10)},
		{name: "/binary not hex", syntax: terminal, line: "/binary zz", wantErr: `"zz" is not hex`},
		{name: "/binary odd hex", syntax: terminal, line: "/binary abc", wantErr: "is not hex"},
		{name: "/binary not base64", syntax: syntax{commands: true, base64: true}, line: "/binary !!", wantErr: "is not base64"},
		{name: "/close alone is 1000", syntax: terminal, line: "/close", want: command{act: actClose, code: 1000}},
		{name: "/close with a code", syntax: terminal, line: "/close 4000", want: command{act: actClose, code: 4000}},
		{name: "/close with a code and a reason", syntax: terminal, line: "/close 1001 see you later", want: command{act: actClose, code: 1001, reason: "see you later"}},
		{name: "/close 1005 is not valid on the wire", syntax: terminal, line: "/close 1005", wantErr: "1005 no status received is not valid on the wire"},
		{name: "/close 1006 is not valid on the wire", syntax: terminal, line: "/close 1006", wantErr: "not valid on the wire"},
		{name: "/close 999 is not valid on the wire", syntax: terminal, line: "/close 999", wantErr: "not valid on the wire"},
		{name: "/close 5000 is not valid on the wire", syntax: terminal, line: "/close 5000", wantErr: "not valid on the wire"},
		{name: "/close code not a number", syntax: terminal, line: "/close bye", wantErr: `"bye" is not a close code`},
		{name: "/close code over 16 bits", syntax: terminal, line: "/close 70000", wantErr: "is not a close code"},
		{name: "/close reason over 123 bytes", syntax: terminal, line: "/close 1000 " + strings.Repeat("r", 124), wantErr: "/close: close reason longer than 123 bytes: 124 bytes"},
		{name: "/quit", syntax: terminal, line: "/quit", want: command{act: actQuit, code: 1000}},
		{name: "/help", syntax: terminal, line: "/help", want: command{act: actHelp}},
		{name: "an unknown command", syntax: terminal, line: "/send x", wantErr: "unknown command /send"},
		{name: "invalid UTF-8 cannot be text", syntax: terminal, line: "caf\xe9", wantErr: "not valid UTF-8"},
		{name: "-b: a line is hex", syntax: syntax{commands: true, binaryLines: true}, line: "0102", want: binary(1, 2)},
		{name: "-b: a bad line", syntax: syntax{binaryLines: true}, line: "hello", wantErr: "is not hex"},
		{name: "-b -b64: a line is base64", syntax: syntax{binaryLines: true, base64: true}, line: "aGk=", want: binary('h', 'i')},
		{name: "in a pipe /commands are text", syntax: pipe, line: "/close 1005", want: text("/close 1005")},
		{name: "in a pipe @ is text", syntax: pipe, line: "@1 hi", want: text("@1 hi")},
		{name: "without -l @ is text", syntax: terminal, line: "@1 hi", want: text("@1 hi")},
		{name: "@ID line", syntax: server, line: "@2 just you", want: command{act: actSend, to: 2, typ: conn.Text, data: []byte("just you")}},
		{name: "@ID command", syntax: server, line: "@3 /close 4000 bye", want: command{act: actClose, to: 3, code: 4000, reason: "bye"}},
		{name: "@ID alone", syntax: server, line: "@3", wantErr: "must follow"},
		{name: "@ not a number", syntax: server, line: "@bob hi", wantErr: "want @ID"},
		{name: "@0", syntax: server, line: "@0 hi", wantErr: "want @ID"},
		{name: "@ID bad command", syntax: server, line: "@1 /close 1015", wantErr: "not valid on the wire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.syntax.parse(tt.line)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parse(%q) error = %v, want one containing %q", tt.line, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse(%q): %v", tt.line, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(command{})); diff != "" {
				t.Fatalf("parse(%q) (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}
