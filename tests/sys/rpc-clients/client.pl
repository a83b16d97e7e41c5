#!/usr/bin/perl
# client.pl PORT USER PASS: Perl's RPC::XML::Client (an XML-RPC stack
# independent of Python's) on the inet server: status, start and stop.
use strict;
use warnings;
use RPC::XML;
use RPC::XML::Client;

my ($port, $user, $pass) = @ARGV;
my $url = "http://127.0.0.1:$port/RPC2";

# A client with basic auth credentials for the server's realm.
sub client {
	my ($u, $p) = @_;
	my $c = RPC::XML::Client->new($url);
	$c->credentials('default', $u, $p);
	my $ua = $c->useragent;
	$ua->default_header(Authorization => 'Basic ' .
	    MIME::Base64::encode_base64("$u:$p", ''));
	return $c;
}

# Call method with args; "fault CODE STRING" or the value.
sub call {
	my ($c, $method, @args) = @_;
	my $r = $c->send_request($method, @args);
	die "$method: $r\n" unless ref $r;
	if ($r->is_fault) {
		return sprintf("fault %d %s", $r->code, $r->string);
	}
	return $r->value;
}

# Each process's namespec and state, as supervisorctl status lists them.
sub status {
	my ($c) = @_;
	my $all = call($c, 'supervisor.getAllProcessInfo');
	for my $p (@$all) {
		my $n = $p->{group} eq $p->{name} ? $p->{name} :
		    "$p->{group}:$p->{name}";
		print "$n $p->{statename}\n";
	}
}

# The state of one process.
sub state {
	my ($c, $name) = @_;
	my $info = call($c, 'supervisor.getProcessInfo', $name);
	print "$name $info->{statename}\n";
}

require MIME::Base64;
my $c = client($user, $pass);
print "version ", call($c, 'supervisor.getAPIVersion'), "\n";
status($c);
print "start off: ", call($c, 'supervisor.startProcess', 'off',
    RPC::XML::boolean->new(1)), "\n";
state($c, 'off');
print "stop off: ", call($c, 'supervisor.stopProcess', 'off'), "\n";
state($c, 'off');
print "stop off: ", call($c, 'supervisor.stopProcess', 'off'), "\n";
print "start nosuch: ", call($c, 'supervisor.startProcess', 'nosuch'), "\n";
my $bad = client($user, 'wrong');
my $r = $bad->send_request('supervisor.getState');
print "wrong password: ", (ref $r ? "answered" :
    ($r =~ /Unauthorized/ ? "Unauthorized" : $r)), "\n";
