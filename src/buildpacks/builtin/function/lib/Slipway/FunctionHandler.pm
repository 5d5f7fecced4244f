# Slipway's Perl function support, shared by the build-time check and the runtime:
# loads handler.pl, whose last value (or `$app`, or a `handler` sub) is a code ref
# called with the PSGI env, and turns what it returns into a PSGI response:
#   [status, [headers], [body]]             a PSGI response, as is
#   { statusCode, headers, body }           a Lambda-style result
#   a string                                200, text/plain
package Slipway::FunctionHandler;
use strict;
use warnings;

sub load {
    my ($file) = @_;
    # in package main, where a handler file without a package line defines `handler` or `$app`
    my $ret = do { package main; do $file };
    die "loading $file failed: $@" if $@;
    die "reading $file failed: $!" if !defined $ret && $!;
    return $ret if ref $ret eq 'CODE';
    no strict 'refs';
    return \&{'main::handler'} if defined &{'main::handler'};
    return ${'main::app'} if ref ${'main::app'} eq 'CODE';
    die "$file must end with a code ref (a PSGI app or sub { my \$env = shift; ... }), or define sub handler\n";
}

sub to_psgi {
    my ($res) = @_;
    return $res if ref $res eq 'ARRAY' || ref $res eq 'CODE';
    if (ref $res eq 'HASH') {
        my $h = $res->{headers} || {};
        $h = { 'Content-Type' => 'text/plain; charset=utf-8', %$h } unless grep { lc $_ eq 'content-type' } keys %$h;
        my $body = defined $res->{body} ? $res->{body} : '';
        return [ $res->{statusCode} || 200, [ %$h ], [ ref $body ? do { require JSON::PP; JSON::PP::encode_json($body) } : $body ] ];
    }
    return [ 200, [ 'Content-Type' => 'text/plain; charset=utf-8' ], [ defined $res ? "$res" : '' ] ];
}

1;
