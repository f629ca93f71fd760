# Batch DKIM verifier for dkim/oracle_test.go: Perl Mail::DKIM
# (libmail-dkim-perl). Same protocol as dkimpy.py: a first JSON line of keys,
# then one JSON line per message in, one JSON line per message out.
# Mail::DKIM::DNS::query answers from the keys: no network.
use strict;
use warnings;
use JSON::PP ();
use MIME::Base64 ();
use Net::DNS ();
use Mail::DKIM::Verifier;

my $json = JSON::PP->new->utf8->canonical;
$| = 1;
my $first = <STDIN>;
my $keys = $json->decode($first)->{keys};
my %records = map { lc($_) => $keys->{$_} } keys %$keys;
{
    no warnings qw(redefine once);
    *Mail::DKIM::DNS::query = sub {
        my ($name, $type) = @_;
        $name = lc $name;
        $name =~ s/\.$//;
        my $txt = $records{$name};
        if (uc($type) ne 'TXT' || !defined $txt) {
            $@ = 'NXDOMAIN';
            return;
        }
        my @chunks = $txt eq '' ? ('') : unpack('(a255)*', $txt);
        $@ = 'NOERROR';
        return Net::DNS::RR->new(name => $name, type => 'TXT', txtdata => \@chunks);
    };
}
while (my $line = <STDIN>) {
    my $req = $json->decode($line);
    my $msg = MIME::Base64::decode_base64($req->{msg});
    my $v = Mail::DKIM::Verifier->new();
    $v->PRINT($msg);
    $v->CLOSE();
    my @sigs;
    for my $sig ($v->signatures) {
        next if $sig->isa('Mail::DKIM::DkSignature');
        my $detail = $sig->result_detail // 'none';
        push @sigs, {
            d   => $sig->domain // '',
            s   => $sig->selector // '',
            r   => ($sig->result // '') eq 'pass' ? 'pass' : 'fail',
            why => $detail,
        };
    }
    print $json->encode({ id => $req->{id}, sigs => \@sigs }), "\n";
}
