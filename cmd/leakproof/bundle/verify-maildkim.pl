#!/usr/bin/perl
# Re-verify a message's DKIM (and DomainKeys) signatures with Mail::DKIM,
# offline.
#
# Usage: perl verify-maildkim.pl MESSAGE [KEYS]
#
# Mail::DKIM::Verifier asks DNS for each signature's key through
# Mail::DKIM::DNS::query, and DNS shows today's keys, not those in use when
# the mail was sent. This script replaces that one function with a lookup
# that answers from KEYS (keys.jsonl beside this script unless named) and
# never touches the network. Everything else is Mail::DKIM's own.
#
# It prints one line per signature, in the order Mail::DKIM lists them:
#
#     DKIM-Signature 1 d=example.com s=sel: pass
#
# with Mail::DKIM's result_detail after the colon ("pass", "fail (...)",
# "invalid (...)"). When KEYS holds several records for a signature's name
# (a selector reused with a new key), each is tried, as leakproof does, and
# the line names the one that passed. The exit status is 0 when every
# signature passed, 1 when one did not, 2 when the script could not run.
use strict;
use warnings;
use File::Basename qw(dirname basename);
use JSON::PP ();
use Net::DNS ();
my $have_dkim = eval { require Mail::DKIM::Verifier; 1 };
if (!$have_dkim) {
    print STDERR "verify-maildkim.pl: Mail::DKIM is missing: apt-get install libmail-dkim-perl, or cpan Mail::DKIM\n";
    exit 2;
}

if (@ARGV < 1 || @ARGV > 2 || $ARGV[0] =~ /^-/) {
    print STDERR "usage: perl verify-maildkim.pl MESSAGE [KEYS]\n";
    exit 2;
}
my ($message_file, $keys_file) = @ARGV;
$keys_file //= dirname(__FILE__) . "/keys.jsonl";

# lookup name => [TXT record, ...], in file order
my %records;
open(my $kf, '<:raw', $keys_file) or die "verify-maildkim.pl: $keys_file: $!\n";
while (my $line = <$kf>) {
    next unless $line =~ /\S/;
    my $r = JSON::PP->new->utf8->decode($line);
    next unless defined $r->{txt};    # a recorded DNS failure: no record to serve
    my $name = lc("$r->{selector}._domainkey.$r->{domain}");
    $name =~ s/\.$//;
    utf8::encode(my $txt = $r->{txt});
    push @{ $records{$name} }, $txt;
}
close $kf;

open(my $mf, '<:raw', $message_file) or die "verify-maildkim.pl: $message_file: $!\n";
my $message = do { local $/; <$mf> };
close $mf;
# Mail::DKIM reads SMTP form: every line ending CRLF.
$message =~ s/(?<!\r)\n/\r\n/g;

# Round $round serves each name's record number $round (or its first, when
# it has fewer), so that every record is tried.
my $round = 0;
{
    no warnings qw(redefine once);
    *Mail::DKIM::DNS::query = sub {
        my ($name, $type) = @_;
        $name = lc $name;
        $name =~ s/\.$//;
        my $list = $records{$name};
        if (uc($type) ne 'TXT' || !$list) {
            $@ = 'NXDOMAIN';
            return;
        }
        my $txt = $list->[ $round < @$list ? $round : 0 ];
        my @chunks = $txt eq '' ? ('') : unpack('(a255)*', $txt);
        $@ = 'NOERROR';
        return Net::DNS::RR->new(name => $name, type => 'TXT', txtdata => \@chunks);
    };
}

my $rounds = 1;
for my $list (values %records) {
    $rounds = @$list if @$list > $rounds;
}

my @best;    # per signature: [label, result_detail]
for ($round = 0; $round < $rounds; $round++) {
    my $dkim = Mail::DKIM::Verifier->new();
    $dkim->PRINT($message);
    $dkim->CLOSE();
    my %count;
    my $i = 0;
    for my $sig ($dkim->signatures) {
        my $type = $sig->isa('Mail::DKIM::DkSignature') ? 'DomainKey-Signature' : 'DKIM-Signature';
        my $n = ++$count{$type};
        my $d = $sig->domain // '';
        my $s = $sig->selector // '';
        my $detail = $sig->result_detail // 'none';
        my $name = lc("$s._domainkey.$d");
        my $list = $records{$name} || [];
        if ($round > 0 && $round < @$list && $detail eq 'pass') {
            $detail = sprintf('pass (with key record %d of %d for %s)', $round + 1, scalar(@$list), $name);
        }
        if (!defined $best[$i] || ($best[$i][1] !~ /^pass/ && $detail =~ /^pass/)) {
            $best[$i] = ["$type $n d=$d s=$s", $detail];
        }
        $i++;
    }
}

if (!@best) {
    print "no signature\n";
    exit 1;
}
my $status = 0;
for my $b (@best) {
    print "$b->[0]: $b->[1]\n";
    $status = 1 unless $b->[1] =~ /^pass/;
}
exit $status;
