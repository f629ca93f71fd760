package main

// usage is the help text of `leakproof -h`. Keep it in step with
// docs/json.md and README.md.
const usage = `Usage:
    leakproof verify [options] PATH...
    leakproof verify [options] --shard I/N --format shard --out FILE PATH...
    leakproof merge [--format FORMAT] [--out FILE] [--manifest FILE] [--page-size N] FILE...
    leakproof explain [options] [--file INNER [--entry N]] [--index N] PATH
    leakproof explain [options] FILE#INDEX
    leakproof explain [options] --id ID PATH
    leakproof bundle [options] --out DIR [--id ID | --file INNER [--entry N] [--index N]] PATH
    leakproof bundle [options] --out DIR FILE#INDEX
    leakproof keys needed [--keys FILE]... [--format text|json] PATH...
    leakproof keys import [--out FILE] FILE...
    leakproof keys lookup [--dns-server ADDR] [--record FILE] SELECTOR DOMAIN
    leakproof --version

leakproof tells whether the emails in a leaked archive are authentic, altered
or unverifiable, from their DKIM signatures and the keys of the signing
domains. PATH is a message file, an mbox, a Maildir, a folder tree or a zip.
Options come before the paths.

verify checks every message and prints a table (or JSON Lines, CSV, HTML,
or records for Aleph and Datashare).
merge puts together the shard files of one verify run shared among several
machines (--shard), and writes what one verify run would (docs/scale.md).
explain prints a plain-language account of one message, weighed against the
other messages of PATH.
bundle writes a proof bundle of one message: its stored bytes, the key
records, leakproof's record and the commands to re-verify it with dkimpy,
Mail::DKIM and mailauth, without leakproof.
keys lists the keys an archive needs, builds key archives and asks DNS
(see "leakproof keys -h").

Key and policy options (verify, explain and bundle):
    --keys FILE            Read DKIM keys from a key archive: JSON Lines or a
                           BIND zone file. Repeat for several files.
    --dns                  Also ask DNS for keys missing from the key files.
                           A lookup tells the domain's operator that someone is
                           checking, and today's DNS shows today's keys.
    --dns-server ADDR      The DNS server to ask (host or host:port); implies
                           --dns. Default: the first nameserver in
                           /etc/resolv.conf.
    --record FILE          Append every DNS answer, failures included, to FILE
                           (a key archive), so the run can be repeated offline.
    --min-rsa-bits N       RSA keys shorter than N bits never make a message
                           authentic. Default 1024.
    --no-sha1              rsa-sha1 signatures count for nothing. By default
                           they count, at medium confidence at most.
    --trust-sealer DOMAIN  Trust the ARC seals of DOMAIN (for example
                           google.com): its record of a passing signature can
                           make a message authentic. Repeatable. Default none.

verify options:
    --format FORMAT        text (default), json (JSON Lines, one object per
                           message), csv, html (self-contained pages: no
                           script, nothing loaded from the network), ftm
                           (FollowTheMoney Email entities for Aleph),
                           datashare (tag batches for Datashare's
                           batchUpdate/tag) or join (id, place and SHA-1,
                           SHA-256, SHA-384 of each message's stored bytes).
                           docs/integrations.md shows how to import them.
    --datashare-project NAME
                           The Datashare project whose name its document ids
                           are salted with. Default local-datashare; "" when
                           Datashare ran with --noDigestProject.
    --out FILE             Write the report to FILE instead of standard output.
                           FILE appears only when the run is complete.
    --resume               With --out FILE: keep the partial report as
                           FILE.partial (and FILE.partial.manifest.json)
                           through any interruption, and continue it when
                           the same command is run again with --resume; it
                           refuses when the inputs, key files or options
                           differ. json, csv, ftm and join only.
    --page-size N          With --format html and --out FILE: a report of more
                           than N messages (default 1000) is an index page,
                           FILE, and pages of N messages in the folder
                           FILE.pages beside it (report.pages beside
                           report.html; keep the two together). 0 writes one
                           page however many messages there are.
    --csv-bom              Start the CSV with a UTF-8 byte-order mark, for
                           spreadsheets (Excel) that need one to read UTF-8.
    --manifest FILE        Write how the run was made to FILE (JSON): version,
                           commit, times, command, each input file and key
                           file with its SHA-256, the policy, the counts. The
                           HTML report always shows it in its header.
    --workers N            Check N messages at once. Default: the number of CPUs.
    --shard I/N            Check only the I-th of N shares of the inputs (whole
                           files by their path, byte ranges of a large mbox),
                           with --format shard --out FILE: the records wait
                           in FILE for "leakproof merge". Every share is run
                           with the same options and PATHs.
    --split-above SIZE     With --shard, split an mbox file larger than SIZE
                           into N byte ranges. Default 256M; 0 never splits.
    --no-archive-pass      Judge each message alone and write each record as
                           soon as it is decided. By default the archive pass
                           compares copies of a message (the same Message-ID),
                           signing domains' other messages and quoting
                           replies, and the records are written once it has
                           seen them all (they and the messages' paragraphs
                           wait in temporary files beside --out, or in the
                           system's temporary folder).

merge options:
    --format FORMAT        text (default), json, csv, html or ftm, as verify.
    --out FILE, --manifest FILE, --csv-bom, --page-size N
                           As verify's. The shard files come in any order;
                           merge refuses files of different runs, a missing
                           or repeated shard, and a damaged file.

Bounds on hostile archives (verify; SIZE is bytes, or a number with K, M, G
or T, powers of 1024; a bound reached gives an error record naming the file,
entry and offset, and the run goes on with the next entry or file):
    --max-message-size SIZE  Largest message read. Default 100M.
    --max-zip-total SIZE     Bytes one zip may inflate in all. Default 64G.
    --max-total SIZE         Bytes the whole run may inflate. Default 1T.
    --max-zip-directory SIZE Largest zip central directory. Default 64M.
    --max-zip-entries N      Entries per zip or tar. Default 1048576.
    --max-files N            Files and entries read per PATH. Default 16777216.
    --max-path-depth N       Folders deep below a PATH. Default 100.
    Zip entries whose data overlap (a zip bomb's trick) are never read.

explain and explain options:
    --no-archive-pass      Judge the message alone. By default explain checks
                           every message of PATH, as verify does, and weighs
                           the message against them (the archive pass: its
                           copies, its signing domain's other messages, the
                           replies quoting it), so give it the PATH verify
                           was given (with --id or --file) to hear what the
                           whole archive says; FILE#INDEX weighs it against
                           FILE alone.

bundle options:
    --file INNER           The file inside a folder or zip PATH
                           (for example Sent/1.eml).
    --index N              The message within that file. Default 1.
    --entry N              When a zip holds several entries named INNER,
                           which one (1 = first in the zip's directory
                           order); without it explain refuses to guess.
    --id ID                The message whose id (in verify's JSON and CSV)
                           is ID; PATH is the PATH verify was given, typed
                           any way. FILE#INDEX, as verify's table prints it
                           (leak.mbox#3, dump.zip/Sent/1.eml#1), also names
                           one message.

bundle options:
    --out DIR              The folder to write the bundle to: a new one, or an
                           empty one. Its README.md says how to re-verify.

Verdicts:
    authentic      Sent as shown by the signing domain's mail system: a
                   signature of the From domain verifies and covers From and
                   the whole body. It does not mean the content is true, and a
                   gmail.com signature proves the account, not the person.
    altered        Something the signer covered was changed after signing, or
                   a field a reader sees was added without a signature.
    unverifiable   Nothing here vouches for the message either way (no
                   signature, no key, a key too weak to count, ...). It is not
                   a sign of forgery.

Exit status: 0 when the run finished, whatever the verdicts; 1 when some input
(a PATH or a key file) could not be read or changed while being read (the rest
is still reported) or no message at all was found; 2 on usage errors; 3 when
SIGINT or SIGTERM stopped the run (every record written is complete).

Examples:
    $ leakproof verify --keys testdata/keys.jsonl testdata/sample.mbox
    $ leakproof verify --keys keys.jsonl --format json --out report.jsonl leak.zip
    $ for i in 1 2 3; do leakproof verify --keys keys.jsonl --shard $i/3 --format shard --out s$i leak; done
    $ leakproof merge --format html --out report.html s1 s2 s3
    $ leakproof explain --keys keys.jsonl --index 3 inbox.mbox
    $ leakproof explain --keys keys.jsonl --file Sent/1.eml leak.zip
    $ leakproof explain --keys keys.jsonl 'leak.zip/Sent/1.eml#1'
    $ leakproof bundle --keys keys.jsonl --out proof-3 'inbox.mbox#3'
    $ leakproof keys needed inbox.mbox
    $ leakproof keys import --out keys.jsonl old-keys.zone
`
