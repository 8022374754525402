# Writes tests/unit/data/bad/: malformed scenario files (and the profiles
# some of them reference), each starting with "; expect LINE |KEY| MSG"
# for tests/unit/test_scenario_bad.c. Run from the repo root:
#   /usr/bin/python3 tests/unit/data/gen-bad.py
import os, shutil
D = 'tests/unit/data/bad'
P = D + '/profiles'
shutil.rmtree(D, ignore_errors=True)
os.makedirs(P)
CELL = b'[cell c]\na = eim\nb = eim\nexpect = >= 0\n'

def scen(name, body, line, key, msg):
    """body: bytes after the expect line; line: 1-based in the file."""
    head = ('; expect %d |%s| %s\n' % (line, key, msg)).encode()
    with open('%s/%s.ini' % (D, name), 'wb') as f:
        f.write(head + body)

def prof(name, body):
    with open('%s/%s.ini' % (P, name), 'wb') as f:
        f.write(body)

# good profiles the bad scenarios may use
prof('eim', b'[nat]\nmapping = endpoint-independent\n')
prof('carrier', b'[nat]\nmapping = endpoint-independent\nport_assignment = random\nport_range = 10000-19999\nport_block = 1000\n')

# --- bytes: refused before parsing, at their line -------------------------
scen('nul-in-value', b'[scenario]\ndescription = ab\0cd\n' + CELL, 3, '', 'NUL byte at column 17')
scen('nul-padding', b'[scenario]\ntrials = 5\n' + CELL + b'\0' * 64, 8, '', 'NUL byte at column 1')
scen('nul-padding-newlines', b'[scenario]\ntrials = 5\n' + CELL + b'\n\n\0\0\0\0', 10, '', 'NUL byte')
scen('nul-in-key', b'[scenario]\ntri\0als = 5\n' + CELL, 3, '', 'NUL byte at column 4')
scen('nul-in-section', b'[scen\0ario]\n' + CELL, 2, '', 'NUL byte')
scen('nul-in-cell-name', b'[cell a\0b]\na = eim\nb = eim\nexpect = >= 0\n', 2, '', 'NUL byte')
scen('nul-in-profile-name', b'[cell c]\na = eim\0../../etc\nb = eim\nexpect = >= 0\n', 3, '', 'NUL byte')
scen('nul-in-expect', b'[cell c]\na = eim\nb = eim\nexpect = >= 0.9\0\n', 5, '', 'NUL byte')
scen('nul-line', b'[scenario]\n\0\n' + CELL, 3, '', 'NUL byte')
scen('utf16', b'\xff\xfe[\0s\0c\0e\0n\0a\0r\0i\0o\0]\0\n\0', 2, '', 'byte 0xFF at column 1 is not UTF-8')
scen('utf8-lone-continuation', b'[scenario]\ndescription = \x80\n' + CELL, 3, '', 'byte 0x80 at column 15 is not UTF-8')
scen('utf8-overlong', b'[scenario]\ndescription = \xc0\xaf\n' + CELL, 3, '', 'byte 0xC0')
scen('utf8-surrogate', b'[scenario]\ndescription = \xed\xa0\x80\n' + CELL, 3, '', 'byte 0xED')
scen('utf8-truncated-at-eof', b'[scenario]\n' + CELL + b'reason = \xe2\x82', 7, '', 'byte 0xE2')
scen('utf8-latin1', b'[cell c]\na = eim\nb = eim\nexpect = >= 0\nreason = caf\xe9\n', 6, '', 'byte 0xE9 at column 13')
scen('utf8-above-max', b'[scenario]\ndescription = \xf4\x90\x80\x80\n' + CELL, 3, '', 'byte 0xF4')
scen('utf8-f5', b'[scenario]\ndescription = \xf5\x80\x80\x80\n' + CELL, 3, '', 'byte 0xF5')
scen('utf8-in-key', b'[scenario]\ntr\xffials = 5\n' + CELL, 3, '', 'byte 0xFF')
scen('ctl-escape', b'[scenario]\ndescription = \x1b[2J\x1b[31mred\n' + CELL, 3, '', 'control byte 0x1B')
scen('ctl-bell', b'[scenario]\ndescription = ding\x07\n' + CELL, 3, '', 'control byte 0x07')
scen('ctl-lone-cr', b'[scenario]\ndescription = a\rtrials = 9\n' + CELL, 3, '', 'control byte 0x0D')
scen('ctl-del', b'[scenario]\ndescription = \x7f\n' + CELL, 3, '', 'control byte 0x7F')
scen('ctl-formfeed', b'[scenario]\n\x0c\n' + CELL, 3, '', 'control byte 0x0C')
scen('ctl-backspace-in-name', b'[cell ok\x08\x08no]\na = eim\nb = eim\nexpect = >= 0\n', 2, '', 'control byte 0x08')

# --- lines and syntax -------------------------------------------------------
scen('long-line', b'[scenario]\ndescription = ' + b'x' * 250 + b'\n' + CELL, 3, '', 'longer than 199')
scen('very-long-line', b'[scenario]\n' + b';' * 100000 + b'\n' + CELL, 3, '', 'longer than 199')
scen('long-line-no-newline', b'[scenario]\n' + CELL + b'reason = ' + b'r' * 300, 7, '', 'longer than 199')
scen('long-section', b'[cell ' + b'n' * 60 + b']\na = eim\n', 2, '', 'section name longer than 49')
scen('unclosed-section', b'[cell c\na = eim\n', 2, '', 'syntax error')
scen('no-equals', b'[scenario]\ntrials 5\n' + CELL, 3, '', 'syntax error')
scen('key-before-section', b'trials = 5\n' + CELL, 2, 'trials', 'key before any section')
scen('empty-key', b'[scenario]\n= 5\n' + CELL, 3, '', 'unknown key in [scenario]')
scen('dup-key-scenario', b'[scenario]\ntrials = 5\ntrials = 6\n' + CELL, 4, 'trials', 'given twice in [scenario] (first at line 3)')
scen('dup-key-cell', CELL + b'a = eim\n', 6, 'a', 'given twice in [cell c] (first at line 3)')
scen('dup-cell', CELL + CELL, 6, '[cell c]', 'cell name used twice (first at line 2)')
scen('dup-scenario-section', b'[scenario]\ntrials = 5\n[scenario]\nseed = 2\n' + CELL, 4, '[scenario]', 'given twice (first at line 2)')
scen('dup-matrix', b'[matrix m]\na = eim\nb = eim\nexpect = >= 0\n[matrix m]\n', 6, '[matrix m]', 'matrix name used twice (first at line 2)')
scen('unknown-section', b'[scenarios]\ntrials = 5\n', 2, '[scenarios]', 'unknown section')
scen('cell-no-name', b'[cell]\na = eim\n', 2, '[cell]', 'needs a name')
scen('cell-bad-name', b'[cell a/b]\na = eim\n', 2, '[cell a/b]', 'needs a name')
scen('cell-long-name', b'[cell ' + b'n' * 48 + b'x]\na = eim\nb = eim\nexpect = >= 0\n' + b'[cell ' + b'q' * 49 + b']\n', 2, '', 'section name longer than 49')
scen('unknown-key-scenario', b'[scenario]\ntrails = 5\n' + CELL, 3, 'trails', 'unknown key in [scenario]')
scen('unknown-key-cell', CELL + b'colour = red\n', 6, 'colour', 'unknown key in a cell')
scen('unknown-key-matrix', b'[matrix m]\na = eim\nb = eim\nexpect = >= 0\nrtt = 5\n', 6, 'rtt', 'unknown key in a matrix')

# --- numbers ---------------------------------------------------------------
def num(name, key, value, msg, where='scenario'):
    if where == 'scenario':
        scen(name, b'[scenario]\n' + key + b' = ' + value + b'\n' + CELL, 3, key.decode(), msg)
    else:
        scen(name, CELL + key + b' = ' + value + b'\n', 6, key.decode(), msg)
num('trials-word', b'trials', b'abc', 'not a whole number')
num('trials-zero', b'trials', b'0', 'out of range 1..100000')
num('trials-negative', b'trials', b'-5', 'out of range')
num('trials-overflow', b'trials', b'99999999999999999999', 'out of range')
num('trials-suffix', b'trials', b'5x', 'not a whole number')
num('trials-hex', b'trials', b'0x10', 'not a whole number')
num('trials-empty', b'trials', b'', 'not a whole number')
num('trials-float', b'trials', b'2.5', 'not a whole number')
num('seed-negative', b'seed', b'-1', 'not an unsigned whole number')
num('seed-overflow', b'seed', b'18446744073709551616', 'does not fit in 64 bits')
num('parallel-big', b'parallel', b'257', 'out of range 1..256')
num('timeout-small', b'timeout_ms', b'50', 'out of range 100..600000')
num('rtt-exponent', b'rtt_ms', b'1e3', "'1e3' is not a number")
num('rtt-nan', b'rtt_ms', b'nan', 'is not a number')
num('rtt-big', b'rtt_ms', b'60001', 'rtt_ms must be in 0..60000')
num('rtt-long', b'rtt_ms', b'9' * 40, 'is not a number')
num('loss-big', b'loss', b'1.5', 'loss must be in 0..1', 'cell')
num('rate-fraction', b'rate_kbit', b'1.5', 'is not a whole number', 'cell')
num('rate-overflow', b'rate_kbit', b'99999999999999999999', 'rate_kbit must be in', 'cell')
num('skew-double-minus', b'skew_ms', b'--5', 'is not a number', 'cell')
num('jitter-negative', b'jitter_ms', b'-1', 'jitter_ms must be in', 'cell')
num('coord-delay-big', b'coord_delay_a_ms', b'60001', 'coord_delay_a_ms must be in', 'cell')
num('mode-unknown', b'mode', b'turbo', "'turbo' is not one of")
num('node-unknown', b'node', b'btcd', "'btcd' is not one of")
num('star-maybe', b'star', b'maybe', 'not a boolean')
scen('expect-gt', b'[cell c]\na = eim\nb = eim\nexpect = > 0.5\n', 5, 'expect', 'is not an expectation')
scen('expect-reversed', b'[cell c]\na = eim\nb = eim\nexpect = 0.9..0.1\n', 5, 'expect', 'is not an expectation')
scen('expect-above-one', b'[cell c]\na = eim\nb = eim\nexpect = >= 1.5\n', 5, 'expect', 'is not an expectation')
scen('expect-three-dots', b'[cell c]\na = eim\nb = eim\nexpect = 0...1\n', 5, 'expect', 'is not an expectation')
scen('delay-sum', b'[cell c]\na = eim\nb = eim\nexpect = >= 0\nrtt_ms = 60000\ncoord_delay_a_ms = 30001\n', 2, 'coord_delay_a_ms', 'the shaper delays a packet at most 60000 ms')

# --- structure and limits ---------------------------------------------------
scen('no-cells', b'[scenario]\ntrials = 5\n', 0, '', 'no [cell NAME] section')
scen('empty-file', b'', 0, '', 'no [cell NAME] section')
scen('cell-no-b', b'[cell c]\na = eim\nexpect = >= 0\n', 2, 'b', 'missing in [cell c]')
scen('cell-no-expect', b'[cell c]\na = eim\nb = eim\n', 2, 'expect', 'missing in [cell c]')
scen('matrix-no-a', b'[matrix m]\nb = eim\nexpect = >= 0\n', 2, 'a', 'missing in [matrix m]')
cells = b''.join(b'[cell c%d]\na = eim\nb = eim\nexpect = >= 0\n' % i for i in range(4097))
scen('cells-4097', cells, 2 + 4 * 4096, '[cell c4096]', 'more than 4096 cells')
scen('matrix-5120', b'[matrix m]\na = eim\nb = eim\nrtt_ms = ' + b', '.join(b'%d' % i for i in range(32)) + b'\njitter_ms = ' + b', '.join(b'%d' % i for i in range(32)) + b'\nloss = 0, 0.1, 0.2, 0.3, 0.4\nexpect = >= 0\n', 2, '[matrix m]', 'expands to 5120 cells; with the 0 before it that is more than 4096')
scen('matrix-4097', b'[cell one]\na = eim\nb = eim\nexpect = >= 0\n[matrix m]\na = eim, carrier\nb = eim\nrtt_ms = ' + b', '.join(b'%d' % i for i in range(32)) + b'\njitter_ms = ' + b', '.join(b'%d' % i for i in range(32)) + b'\nloss = 0, 0.1\nexpect = >= 0\n', 6, '[matrix m]', 'expands to 4096 cells; with the 1 before it that is more than 4096')
scen('matrix-overflow', b'[matrix h]\n' + b''.join(k + b' = ' + b', '.join([v] * 32) + b'\n' for k, v in ((b'a', b'eim'), (b'b', b'eim'), (b'rtt_ms', b'0'), (b'jitter_ms', b'0'), (b'loss', b'0'))) + b'expect = >= 0\n', 2, '[matrix h]', 'expands to 33554432 cells')
scen('matrix-list-33', b'[matrix m]\na = ' + b', '.join([b'eim'] * 33) + b'\n', 3, 'a', 'a list of 1..32 names')
scen('matrix-17', b''.join(b'[matrix m%d]\na = eim\nb = eim\nexpect = >= 0\n' % i for i in range(17)), 2 + 4 * 16, '[matrix m16]', 'more than 16 matrices')
scen('matrix-empty-item', b'[matrix m]\na = eim, , eim\n', 3, 'a', 'a list of 1..32 names')

# --- profiles ---------------------------------------------------------------
def pscen(name, pname, pbody, msg, key='a'):
    if pbody is not None:
        prof(pname, pbody)
    scen(name, b'[cell c]\na = ' + pname.encode() + b'\nb = eim\nexpect = >= 0\n' if key == 'a'
         else b'[cell c]\na = eim\nb = ' + pname.encode() + b'\nexpect = >= 0\n', 3 if key == 'a' else 4, key, msg)
pscen('prof-missing', 'nosuch', None, "no NAT profile 'nosuch'")
pscen('prof-dotdot', '../bad/profiles/eim', None, 'not a profile name')
pscen('prof-slash', 'sub/eim', None, 'not a profile name')
pscen('prof-empty-name', '', None, 'not a profile name')
pscen('prof-nul', 'p-nul', b'[nat]\nmapping = endpoint-\0independent\n', 'p-nul.ini:2: NUL byte')
pscen('prof-utf8', 'p-utf8', b'[nat]\ndescription = \xe9t\xe9\n', 'p-utf8.ini:2: byte 0xE9')
pscen('prof-ctl', 'p-ctl', b'[nat]\ndescription = \x1b]0;pwned\x07\n', 'p-ctl.ini:2: control byte 0x1B')
pscen('prof-unknown-key', 'p-key', b'[nat]\nmaping = none\n', "p-key.ini:2: key 'maping': unknown key in [nat]")
pscen('prof-bad-enum', 'p-enum', b'[nat]\nmapping = cone\n', "p-enum.ini:2: key 'mapping': 'cone' is not one of", 'b')
pscen('prof-bad-range', 'p-range', b'[nat]\nport_range = 0-70000\n', "p-range.ini:2: key 'port_range'")
pscen('prof-range-overflow', 'p-range-of', b'[nat]\nport_range = 99999999999999999999-1\n', "p-range-of.ini:2: key 'port_range'")
pscen('prof-timeout-overflow', 'p-timeout', b'[timeouts]\nestablished = 99999999999999999999\n', "p-timeout.ini:2: key 'established': '99999999999999999999' is out of range")
pscen('prof-dup-section', 'p-dupsec', b'[nat]\nmapping = none\n[timeouts]\nsyn_sent = 5\n[nat]\nhairpinning = on\n', 'p-dupsec.ini:5: [nat]: given twice (first at line 1)')
pscen('prof-none-behind', 'p-none-behind', b'[nat]\nmapping = none\nbehind = carrier\n', "p-none-behind.ini:3: key 'behind': mapping = none translates nothing")
pscen('prof-behind-missing', 'p-behind-missing', b'[nat]\nbehind = nocarrier\n', "p-behind-missing.ini:2: key 'behind': no carrier profile 'nocarrier'")
prof('p-cgn-behind', b'[nat]\nbehind = carrier\n')
pscen('prof-nat4444', 'p-4444', b'[nat]\nbehind = p-cgn-behind\n', 'NAT4444 is not supported')
pscen('prof-long-line', 'p-long', b'[nat]\ndescription = ' + b'x' * 300 + b'\n', 'p-long.ini:2: line longer than 199')
pscen('prof-seq-range', 'p-seq', b'[nat]\nport_assignment = sequential\n', "p-seq.ini:2: key 'port_assignment': sequential ports")
os.makedirs(P + '/p-dir.ini')
open(P + '/p-dir.ini/keep', 'w').write('a directory where a profile should be\n')
pscen('prof-directory', 'p-dir', None, 'p-dir.ini: a directory, not a regular file')
os.symlink('/dev/zero', P + '/p-zero.ini')
pscen('prof-dev-zero', 'p-zero', None, 'p-zero.ini: a device, not a regular file')

# --- outside punchers ([puncher NAME]) -------------------------------------
PUN = b'[puncher p]\ncommand = prog --port {local_port}\n'
scen('puncher-unknown-ref', b'[scenario]\npuncher = nope\n' + CELL, 3, 'puncher', "unknown puncher 'nope'")
scen('puncher-unknown-ref-cell', PUN + b'[cell c]\na = eim\nb = eim\nexpect = >= 0\npuncher_b = nope\n', 8, 'puncher_b', "unknown puncher 'nope'")
scen('puncher-unknown-ref-matrix', PUN + b'[matrix m]\na = eim\nb = eim\nexpect = >= 0\npuncher = p, nope\n', 8, 'puncher', "unknown puncher 'nope'")
scen('puncher-no-command', b'[puncher p]\nverify = token\n[scenario]\npuncher = p\n' + CELL, 2, 'command', 'missing in [puncher p]')
scen('puncher-bad-placeholder', b'[puncher p]\ncommand = prog --port {local_prot}\n' + CELL, 3, 'command', 'unknown placeholder {local_prot}')
scen('puncher-unclosed-placeholder', b'[puncher p]\ncommand = prog {peer_ip\n' + CELL, 3, 'command', "'{' without '}'")
scen('puncher-unclosed-quote', b'[puncher p]\ncommand = sh -c \'echo {role}\n' + CELL, 3, 'command', 'unclosed \' quote')
scen('puncher-empty-command', b'[puncher p]\ncommand = \n' + CELL, 3, 'command', 'no program to run')
scen('puncher-bad-verify', PUN + b'verify = trust-me\n' + CELL, 4, 'verify', "'trust-me' is not one of")
scen('puncher-unknown-key', PUN + b'comand = x\n' + CELL, 4, 'comand', 'unknown key in a puncher')
scen('puncher-named-agent', b'[puncher agent]\ncommand = x\n' + CELL, 2, '[puncher agent]', "'agent' is the built-in agent")
scen('puncher-dup', PUN + b'[puncher p]\ncommand = y\n' + CELL, 4, '[puncher p]', 'puncher name used twice')
scen('puncher-bad-name', b'[puncher a/b]\ncommand = x\n' + CELL, 2, '[puncher a/b]', 'a puncher needs a name')
