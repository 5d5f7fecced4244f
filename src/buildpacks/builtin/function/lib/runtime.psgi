# Slipway's Perl function runtime: serves handler.pl on $PORT (plackup). The handler
# is loaded once per instance; one that dies answers 500 with an empty body, and the
# error goes to stderr, which is the app's log.
use strict;
use warnings;
use File::Basename ();
use File::Spec ();

my $dir;
BEGIN { $dir = File::Basename::dirname(File::Spec->rel2abs(__FILE__)) }
use lib $dir;
require Slipway::FunctionHandler;

my $handler = Slipway::FunctionHandler::load("$dir/../handler.pl");

sub {
    my $env = shift;
    my $res = eval { Slipway::FunctionHandler::to_psgi($handler->($env)) };
    return $res if $res;
    print STDERR "handler.pl died: $@";
    return [ 500, [ 'Content-Type' => 'text/plain' ], [ "internal error\n" ] ];
};
