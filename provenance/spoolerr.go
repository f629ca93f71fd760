package provenance

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"

	"github.com/leakproof/leakproof/arc"
	"github.com/leakproof/leakproof/archive"
	"github.com/leakproof/leakproof/dkim"
	"github.com/leakproof/leakproof/mbox"
)

// spoolSentinels are the errors a spooled error can still be matched
// against with errors.Is once read back, by a name that stays the same
// across versions (a spool file written by one build is read by another).
var spoolSentinels = []struct {
	name string
	err  error
}{
	{"archive.ErrNotMail", archive.ErrNotMail},
	{"archive.ErrTooLarge", archive.ErrTooLarge},
	{"archive.ErrZipEntryTooLarge", archive.ErrZipEntryTooLarge},
	{"archive.ErrZipRatio", archive.ErrZipRatio},
	{"archive.ErrTooManyEntries", archive.ErrTooManyEntries},
	{"archive.ErrTooDeep", archive.ErrTooDeep},
	{"archive.ErrNestedTooLarge", archive.ErrNestedTooLarge},
	{"archive.ErrInflatedTotal", archive.ErrInflatedTotal},
	{"archive.ErrOverlap", archive.ErrOverlap},
	{"archive.ErrCentralDirectory", archive.ErrCentralDirectory},
	{"archive.ErrZipEntrySize", archive.ErrZipEntrySize},
	{"archive.ErrTooManyFiles", archive.ErrTooManyFiles},
	{"archive.ErrPathTooDeep", archive.ErrPathTooDeep},
	{"archive.ErrChanged", archive.ErrChanged},
	{"archive.ErrUnsupported", archive.ErrUnsupported},
	{"mbox.ErrNoSeparator", mbox.ErrNoSeparator},
	{"provenance.ErrInternal", ErrInternal},
	{"provenance.ErrNilMessage", ErrNilMessage},
	{"dkim.ErrBodyHashMismatch", dkim.ErrBodyHashMismatch},
	{"dkim.ErrHeaderSignature", dkim.ErrHeaderSignature},
	{"dkim.ErrKeyRestriction", dkim.ErrKeyRestriction},
	{"dkim.ErrWeakKey", dkim.ErrWeakKey},
	{"dkim.ErrTestingKey", dkim.ErrTestingKey},
	{"dkim.ErrPublishedKey", dkim.ErrPublishedKey},
	{"dkim.ErrRecoveredKey", dkim.ErrRecoveredKey},
	{"dkim.ErrSkipped", dkim.ErrSkipped},
	{"dkim.ErrMessageTooLarge", dkim.ErrMessageTooLarge},
	{"dkim.ErrMalformedTags", dkim.ErrMalformedTags},
	{"dkim.ErrKeyMalformed", dkim.ErrKeyMalformed},
	{"dkim.ErrKeyUnsupported", dkim.ErrKeyUnsupported},
	{"dkim.ErrKeyRevoked", dkim.ErrKeyRevoked},
	{"dkim.ErrKeyHash", dkim.ErrKeyHash},
	{"dkim.ErrKeyMismatch", dkim.ErrKeyMismatch},
	{"dkim.ErrKeyTempFail", dkim.ErrKeyTempFail},
	{"dkim.ErrNoKey", dkim.ErrNoKey},
	{"dkim.ErrVerification", dkim.ErrVerification},
	{"dkim.ErrMissingTag", dkim.ErrMissingTag},
	{"dkim.ErrUnsupportedVersion", dkim.ErrUnsupportedVersion},
	{"dkim.ErrUnsupportedAlgorithm", dkim.ErrUnsupportedAlgorithm},
	{"dkim.ErrUnsupportedCanonicalization", dkim.ErrUnsupportedCanonicalization},
	{"dkim.ErrUnsupportedQuery", dkim.ErrUnsupportedQuery},
	{"dkim.ErrInvalidDomain", dkim.ErrInvalidDomain},
	{"dkim.ErrInvalidSelector", dkim.ErrInvalidSelector},
	{"dkim.ErrIdentityMismatch", dkim.ErrIdentityMismatch},
	{"dkim.ErrFromNotSigned", dkim.ErrFromNotSigned},
	{"dkim.ErrTooManySignedHeaders", dkim.ErrTooManySignedHeaders},
	{"dkim.ErrBadTagValue", dkim.ErrBadTagValue},
	{"dkim.ErrHeaderTooLarge", dkim.ErrHeaderTooLarge},
	{"arc.ErrTooManySets", arc.ErrTooManySets},
	{"arc.ErrInstance", arc.ErrInstance},
	{"arc.ErrDuplicate", arc.ErrDuplicate},
	{"arc.ErrMissing", arc.ErrMissing},
	{"arc.ErrMalformed", arc.ErrMalformed},
	{"arc.ErrChainFailed", arc.ErrChainFailed},
	{"arc.ErrCV", arc.ErrCV},
	{"arc.ErrSignature", arc.ErrSignature},
	{"arc.ErrAlgorithm", arc.ErrAlgorithm},
	{"io.ErrUnexpectedEOF", io.ErrUnexpectedEOF},
	{"fs.ErrNotExist", fs.ErrNotExist},
	{"fs.ErrPermission", fs.ErrPermission},
	{"fs.ErrInvalid", fs.ErrInvalid},
	{"zip.ErrChecksum", zip.ErrChecksum},
	{"zip.ErrFormat", zip.ErrFormat},
	{"zip.ErrAlgorithm", zip.ErrAlgorithm},
	{"gzip.ErrChecksum", gzip.ErrChecksum},
	{"gzip.ErrHeader", gzip.ErrHeader},
	{"tar.ErrHeader", tar.ErrHeader},
	{"context.Canceled", context.Canceled},
	{"context.DeadlineExceeded", context.DeadlineExceeded},
}

// spoolErr is an error as a spool keeps it: its text, the sentinels it
// wraps (by name), and the fields of the errors callers take apart: an
// archive.PathError (so that a record keeps its file, message and offset)
// and an archive.UnsupportedError.
type spoolErr struct {
	Set         bool // false in the zero value, which is no error
	Text        string
	Is          []string
	Path        *spoolPathErr
	Unsupported string // the Format of an *archive.UnsupportedError it wraps
}

type spoolPathErr struct {
	Path   string
	Index  int
	Offset int64
	Detail string
	Cause  *spoolErr
}

// packErr returns err as a spool keeps it, nil for nil.
func packErr(err error) *spoolErr {
	if err == nil {
		return nil
	}
	if p, ok := err.(*archive.PathError); ok && p.Err != nil {
		return &spoolErr{Set: true, Path: &spoolPathErr{Path: p.Path, Index: p.Index, Offset: p.Offset, Detail: p.Detail, Cause: packErr(p.Err)}}
	}
	e := &spoolErr{Set: true, Text: err.Error()}
	for _, s := range spoolSentinels {
		if errors.Is(err, s.err) {
			e.Is = append(e.Is, s.name)
		}
	}
	if u, ok := errors.AsType[*archive.UnsupportedError](err); ok {
		e.Unsupported = u.Format
	}
	return e
}

// unpackErr rebuilds the error e keeps: an *archive.PathError with its
// fields, or an error with e's text that errors.Is matches against the
// sentinels e names (and errors.As finds its *archive.UnsupportedError).
func unpackErr(e *spoolErr) error {
	switch {
	case e == nil || !e.Set:
		return nil
	case e.Path != nil:
		cause := unpackErr(e.Path.Cause)
		if cause == nil {
			cause = &spooledError{}
		}
		return &archive.PathError{Path: e.Path.Path, Index: e.Path.Index, Offset: e.Path.Offset, Detail: e.Path.Detail, Err: cause}
	case e.Unsupported != "":
		if u := (&archive.UnsupportedError{Format: e.Unsupported}); u.Error() == e.Text {
			return u
		}
	}
	se := &spooledError{text: e.Text}
	for _, name := range e.Is {
		for _, s := range spoolSentinels {
			if s.name == name {
				se.is = append(se.is, s.err)
			}
		}
	}
	return se
}

// spooledError is an error read back from a spool: its text, and the
// sentinels it wrapped.
type spooledError struct {
	text string
	is   []error
}

func (e *spooledError) Error() string { return e.text }

// Unwrap returns the sentinels the error wrapped, for errors.Is.
func (e *spooledError) Unwrap() []error { return e.is }
