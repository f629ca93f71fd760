package archive

import (
	"errors"
	"iter"
)

// MailOnly returns msgs without the records of files that hold no mail the
// walk can read: those whose Err wraps [ErrNotMail], an [*UnsupportedError]
// (an Outlook .pst) included. Each record it drops is handed to skipped,
// when not nil, so that a caller can say what was left out: a reporter
// must know that a file of the leak was not examined. Messages, and the
// records of files that could not be read (an I/O error, a corrupt zip
// entry, a message over the size cap), pass through in order.
//
// skipped is called from the goroutine that ranges over the result (in
// provenance's pipeline, its reader), one record at a time.
func MailOnly(msgs iter.Seq[*Message], skipped func(*Message)) iter.Seq[*Message] {
	return func(yield func(*Message) bool) {
		for m := range msgs {
			if m != nil && errors.Is(m.Err, ErrNotMail) {
				if skipped != nil {
					skipped(m)
				}
				continue
			}
			if !yield(m) {
				return
			}
		}
	}
}
