package provenance

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/dkim"
)

// This file maps the arc package's results into the assessment. Call
//
//	r, err := arc.Verify(ctx, msg, dkimOpts) // err only when ctx is done
//	s.a.ARC = arcResult(r)
//	s.add(arcEvidence(r)...)
//
// Rule 2 (trusted sealers) reads s.a.ARC: Chain "pass" already means every
// seal and the latest message signature passed with acceptable keys (weak,
// testing and published keys fail the chain), so it needs only the sealers
// (every Instances[i].Sealer listed) and the latest instance's
// AuthenticationResults (mailsyntax.ParseAuthResults) for an aligned dkim=pass.

// maxAARInMessage caps how much of an ARC-Authentication-Results value an
// evidence message quotes.
const maxAARInMessage = 240

// arcResult maps r to the assessment's ARCResult. A nil r (no ARC check
// was made) is chain "none". Instances is never nil.
func arcResult(r *arc.Result) ARCResult {
	if r == nil {
		return ARCResult{Chain: arc.ChainNone, Instances: []ARCInstance{}}
	}
	out := ARCResult{
		Chain:          r.Chain,
		FailedInstance: r.FailedInstance,
		Reason:         r.Reason,
		Instances:      make([]ARCInstance, 0, len(r.Instances)),
	}
	for _, in := range r.Instances {
		out.Instances = append(out.Instances, ARCInstance{
			Instance:              in.Instance,
			Sealer:                in.Sealer,
			Selector:              in.Selector,
			CV:                    in.CV,
			Seal:                  in.Seal,
			MessageSignature:      in.MessageSignature,
			AuthenticationResults: in.AuthenticationResults,
			Timestamp:             in.SealTime,
		})
	}
	return out
}

// arcEvidence returns the evidence of an ARC check: arc.chain_pass or
// arc.chain_fail for the chain, then one arc.sealed per instance saying who
// sealed it, when, how its seal fares now and what it recorded. A nil r or
// a message without ARC fields gives none.
func arcEvidence(r *arc.Result) []Evidence {
	if r == nil || r.Chain == arc.ChainNone {
		return nil
	}
	var out []Evidence
	switch r.Chain {
	case arc.ChainPass:
		out = append(out, evidence("arc.chain_pass",
			"The message carries an intact ARC chain of %d %s; each sealer's record of what it saw is unchanged.",
			len(r.Instances), arcPlural(len(r.Instances), "set", "sets")))
	case arc.ChainFail:
		where := "The ARC chain is broken"
		if r.FailedInstance > 0 {
			where = fmt.Sprintf("The ARC chain is broken at set %d", r.FailedInstance)
			if in := instanceOf(r, r.FailedInstance); in != nil && errors.Is(r.Err, arc.ErrSignature) && (keyless(in.Seal) || keyless(in.MessageSignature)) {
				// RFC 8617 fails such a chain too, but nothing was shown to
				// be changed: the key was missing or unusable.
				where = fmt.Sprintf("The ARC chain could not be validated at set %d (no usable key for the sealer, so nothing was shown to be changed)", r.FailedInstance)
			}
		}
		out = append(out, evidence("arc.chain_fail", "%s: %s.", where, r.Reason))
	}
	for _, in := range r.Instances {
		out = append(out, evidence("arc.sealed", "%s", sealedMessage(&in)))
	}
	return out
}

// sealedMessage is the one-sentence account of one ARC set.
func sealedMessage(in *arc.Instance) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ARC set %d was sealed by %s", in.Instance, arcSealerName(in.Sealer))
	if !in.SealTime.IsZero() {
		fmt.Fprintf(&b, " on %s", in.SealTime.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, " (seal: %s, message signature: %s)", arcResultWord(in.Seal), arcResultWord(in.MessageSignature))
	if aar := aarPayload(in.AuthenticationResults); aar != "" {
		fmt.Fprintf(&b, " and records: %s", aar)
	} else {
		b.WriteString(" and records no results")
	}
	b.WriteString(".")
	return b.String()
}

// aarPayload is an ARC-Authentication-Results value without its "i=N;"
// prefix, unfolded and capped for quoting.
func aarPayload(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok && strings.HasPrefix(strings.TrimSpace(v), "i") {
		v = rest
	}
	v = strings.Join(strings.Fields(v), " ")
	if len(v) > maxAARInMessage {
		v = v[:maxAARInMessage] + "..."
	}
	return v
}

func arcResultWord(r dkim.Result) string {
	if r == dkim.ResultNone {
		return "not checked"
	}
	return r.String()
}

func arcSealerName(s string) string {
	if s == "" {
		return "an unnamed sealer"
	}
	return s
}

func arcPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// instanceOf returns the set numbered n, or nil: Instances holds the
// numbers found, so a gap shifts positions.
func instanceOf(r *arc.Result, n int) *arc.Instance {
	for i := range r.Instances {
		if r.Instances[i].Instance == n {
			return &r.Instances[i]
		}
	}
	return nil
}

// keyless reports whether an ARC signature could not be checked for want
// of a usable key, as opposed to failing or being malformed.
func keyless(r dkim.Result) bool {
	switch r {
	case dkim.ResultNoKey, dkim.ResultRevoked, dkim.ResultTempError:
		return true
	}
	return false
}
