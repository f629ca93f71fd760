package testmail

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"strings"

	msgauth "github.com/emersion/go-msgauth/dkim"
)

// ErrMsgauthUnsupported is returned by SignMsgauth for options go-msgauth
// cannot sign with.
var ErrMsgauthUnsupported = errors.New("testmail: go-msgauth cannot sign this")

// SignMsgauth is Sign done by github.com/emersion/go-msgauth/dkim, for
// differential tests. It supports what go-msgauth supports: rsa-sha256 with
// keys of 1024 bits or more and ed25519-sha256, the four canonicalizations,
// Headers, Identity, Expiration, Domain and Selector; any other option set
// (BodyLength, Extra, Omit, a Version other than "1", ...) or a weaker key
// gives ErrMsgauthUnsupported.
//
// Unlike Sign, the output is not deterministic: go-msgauth writes the
// current time as t= (SignOptions.Time is ignored) and orders tags its own
// way.
func SignMsgauth(msg []byte, key *Key, o *SignOptions) ([]byte, error) {
	o = o.orDefault()
	if hasBareLF(msg) {
		return nil, ErrBareLF
	}
	unsupported := func(what string) ([]byte, error) {
		return nil, fmt.Errorf("%w: %s", ErrMsgauthUnsupported, what)
	}
	switch {
	case key.Type() == "rsa" && key.Bits < 1024:
		return unsupported(fmt.Sprintf("%d-bit key", key.Bits))
	case o.Algorithm != "" && o.Algorithm != key.Algorithm():
		return unsupported("a=" + o.Algorithm)
	case o.BodyLength != 0:
		return unsupported("l=")
	case o.Version != "" && o.Version != "1":
		return unsupported("v=" + o.Version)
	case len(o.Extra) > 0 || len(o.Omit) > 0 || o.BodyHash != "" || o.Signature != "":
		return unsupported("tag list changes")
	case o.FieldName != "" && !strings.EqualFold(o.FieldName, "DKIM-Signature"):
		return unsupported("field name " + o.FieldName)
	}
	hRelaxed, bRelaxed, _, err := o.canon()
	if err != nil {
		return nil, err
	}
	canon := func(relaxed bool) msgauth.Canonicalization {
		if relaxed {
			return msgauth.CanonicalizationRelaxed
		}
		return msgauth.CanonicalizationSimple
	}
	headers := o.Headers
	if headers == nil {
		headers = DefaultHeaders()
	}
	opts := &msgauth.SignOptions{
		Domain:                 or(o.Domain, key.Domain),
		Selector:               or(o.Selector, key.Selector),
		Identifier:             o.Identity,
		Signer:                 key.Private,
		Hash:                   crypto.SHA256,
		HeaderCanonicalization: canon(hRelaxed),
		BodyCanonicalization:   canon(bRelaxed),
		HeaderKeys:             headers,
		Expiration:             o.Expiration,
	}
	var out bytes.Buffer
	if err := msgauth.Sign(&out, bytes.NewReader(msg), opts); err != nil {
		return nil, fmt.Errorf("testmail: go-msgauth: %w", err)
	}
	return out.Bytes(), nil
}
