package conn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// SendJSON sends v, encoded by encoding/json's Marshal, as one Text
// message, as Send does (same context, same return). If v cannot be
// encoded, SendJSON returns the encoder's error and sends nothing.
func (c *Conn) SendJSON(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("conn: SendJSON: %w", err)
	}
	return c.Send(ctx, Text, b)
}

// ReceiveJSON receives the next message, as Receive does, and decodes it
// into v, a non-nil pointer, with encoding/json's Unmarshal.
//
// It keeps Receive's semantics: if ctx ends first it returns ctx.Err() and
// nothing is lost; the message is bounded by ReadLimit; when the connection
// ends it returns Receive's error. A message that arrived but does not
// decode (a Binary message, text that is not JSON, or JSON that does not
// fit v) is consumed: ReceiveJSON returns an error saying why (errors.As
// finds *json.SyntaxError or *json.UnmarshalTypeError), the connection
// stays usable, and the next call receives the next message. v may then be
// partly filled. A v that is not a non-nil pointer is refused before
// anything is received.
func (c *Conn) ReceiveJSON(ctx context.Context, v any) error {
	if rv := reflect.ValueOf(v); rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("conn: ReceiveJSON needs a non-nil pointer, not %T", v)
	}
	m, err := c.Receive(ctx)
	if err != nil {
		return err
	}
	// Unmarshal keeps nothing of the bytes it decodes (json.Unmarshaler
	// implementations must copy what they keep), so the buffer can go back.
	defer m.Release()
	if m.Type != Text {
		return errJSONBinary
	}
	if err := json.Unmarshal(m.Data, v); err != nil {
		return fmt.Errorf("conn: ReceiveJSON: %w", err)
	}
	return nil
}

var errJSONBinary = errors.New("conn: ReceiveJSON got a binary message, want text")
