/**
 * Scanner, parser and checker in isolation (test registry): token kinds and spans, precedence,
 * and broken filters with their stable code and the span the caret goes under.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../src/filter/lexer.js';
import { parse } from '../../src/filter/parser.js';
import { parseFilter, compileFilterOrThrow, explainFilter, type FilterErrorCode } from '../../src/filter/index.js';
import { formatFilterError, underline } from '../../src/present/filter-error.js';
import { isLabError } from '../../src/util/errors.js';
import { testLookup, TEST_FRAMES } from './test-fields.js';

const kinds = (text: string): string[] => tokenize(text).tokens.map((t) => `${t.kind}:${t.text}`);

test('the scanner takes the longest match, keywords winning ties (scanner.l)', () => {
  assert.deepEqual(kinds('tcp.port==80'), ['UNPARSED:tcp.port', 'TEST_ANY_EQ:==', 'UNPARSED:80', 'EOF:']);
  assert.deepEqual(kinds('a eq b eqx'), ['UNPARSED:a', 'TEST_ANY_EQ:eq', 'UNPARSED:b', 'UNPARSED:eqx', 'EOF:']);
  assert.deepEqual(kinds('x !== y ~= z === w'), ['UNPARSED:x', 'TEST_ANY_NE:!==', 'UNPARSED:y', 'TEST_ANY_NE:~=', 'UNPARSED:z', 'TEST_ALL_EQ:===', 'UNPARSED:w', 'EOF:']);
  assert.deepEqual(kinds('{1..10}'), ['LBRACE:{', 'UNPARSED:1', 'DOTDOT:..', 'UNPARSED:10', 'RBRACE:}', 'EOF:']);
  assert.deepEqual(kinds('fe80::1/64 10.0.0.1/8 00:11:22:33:44:55 :12'), ['UNPARSED:fe80::1/64', 'UNPARSED:10.0.0.1/8', 'UNPARSED:00:11:22:33:44:55', 'LITERAL::12', 'EOF:']);
  assert.deepEqual(kinds('.tcp x[0:4, -1] #1'), ['FIELD:tcp', 'UNPARSED:x', 'LBRACKET:[', 'RANGE_NODE:0:4', 'COMMA:,', 'RANGE_NODE: -1', 'RBRACKET:]', 'HASH:#', 'INTEGER:1', 'EOF:']);
  assert.deepEqual(kinds('"a\\x41\\101\\n" r"a\\n" \'\\x41\''), ['STRING:"aAA\\n"', 'STRING:"a\\\\n"', "CHARCONST:'\\x41'", 'EOF:']);
  const spans = tokenize('  tcp  &&  "x y" ').tokens.map((t) => [t.start, t.end]);
  assert.deepEqual(spans, [[2, 5], [7, 9], [11, 16], [17, 17]]);
});

test('precedence: not > and > or; comparisons chain with and; & binds looser than +', () => {
  const shape = (text: string): string => {
    const show = (n: ReturnType<typeof parse>): string => {
      if (!n) return '';
      switch (n.kind) {
        case 'and': case 'or': return `(${show(n.left)} ${n.kind} ${show(n.right)})`;
        case 'not': return `(not ${show(n.operand)})`;
        case 'cmp': return `(${show(n.left)} ${n.op} ${show(n.right)})`;
        case 'arith': return n.right ? `(${show(n.left)} ${n.op} ${show(n.right)})` : `(${n.op} ${show(n.left)})`;
        default: return n.repr;
      }
    };
    return show(parse(text, testLookup));
  };
  assert.equal(shape('not tcp and ip or ipv6'), '(((not tcp) and ip) or ipv6)');
  assert.equal(shape('tcp or ip and ipv6'), '(tcp or (ip and ipv6))');
  assert.equal(shape('! ! tcp'), '(not (not tcp))');
  assert.equal(shape('tcp.len < tcp.seq <= 5'), '((tcp.len lt tcp.seq) and (tcp.seq le 5))');
  assert.equal(shape('tcp.flags & 0x10 + 2 * 3'), '(tcp.flags bitwise_and (0x10 add (2 multiply 3)))');
  assert.equal(shape('-tcp.len == {1 - 2}'), '((unary_minus tcp.len) any_eq (1 subtract 2))');
});

const BROKEN: [string, FilterErrorCode, [number, number]][] = [
  ['tcp.prot', 'ERR_FILTER_UNKNOWN_FIELD', [0, 8]],
  ['tcp.flgs == 1', 'ERR_FILTER_TYPE_MISMATCH', [0, 8]],
  ['.tcp.prot', 'ERR_FILTER_UNKNOWN_FIELD', [0, 9]],
  ['tcp.port ==', 'ERR_FILTER_SYNTAX', [-1, -1]],
  ['tcp.port == 80)', 'ERR_FILTER_SYNTAX', [14, 15]],
  ['tcp.port in {80 443}', 'ERR_FILTER_SYNTAX', [16, 19]],
  ['tcp.port == "x"', 'ERR_FILTER_BAD_VALUE', [12, 15]],
  ['tcp.port == 65536', 'ERR_FILTER_BAD_VALUE', [12, 17]],
  ['ip.addr == 1.2.3.4/33', 'ERR_FILTER_BAD_VALUE', [11, 21]],
  ['ipv6.addr == ::1/129', 'ERR_FILTER_BAD_VALUE', [13, 20]],
  ['eth.src == 00:11:22', 'ERR_FILTER_BAD_VALUE', [11, 19]],
  ['frame.time_delta > x', 'ERR_FILTER_BAD_VALUE', [19, 20]],
  ['tcp.port contains 80', 'ERR_FILTER_TYPE_MISMATCH', [0, 8]],
  ['tcp.port == ip.addr', 'ERR_FILTER_TYPE_MISMATCH', [12, 19]],
  ['tcp.port[0] == 1', 'ERR_FILTER_TYPE_MISMATCH', [0, 8]],
  ['tcp.payload[1:0] == 1', 'ERR_FILTER_BAD_RANGE', [12, 15]],
  ['tcp.payload matches "("', 'ERR_FILTER_BAD_REGEX', [-1, -1]],
  ['tcp.payload matches 41', 'ERR_FILTER_BAD_REGEX', [20, 22]],
  ['tcp.payload contains "\\q"', 'ERR_FILTER_SCAN', [22, 24]],
  ['tcp.payload contains "abc', 'ERR_FILTER_SCAN', [25, 25]],
  ['tcp.port ≥ 80', 'ERR_FILTER_SCAN', [9, 10]],
  ['nosuch(tcp.port) == 1', 'ERR_FILTER_FUNCTION', [0, 6]],
  ['len(1) == 1', 'ERR_FILTER_FUNCTION', [4, 5]],
  ['abs(ip.src) == 1', 'ERR_FILTER_FUNCTION', [4, 10]],
  ['tcp.port == ${tcp.srcport}', 'ERR_FILTER_UNSUPPORTED', [14, 25]],
  ['tcp.port#1 == 80', 'ERR_FILTER_UNSUPPORTED', [0, 8]],
  ['"hello"', 'ERR_FILTER_UNKNOWN_FIELD', [0, 7]],
  ['1 + tcp.len == 2', 'ERR_FILTER_TYPE_MISMATCH', [0, 1]],
  ['frame contains "hello"', 'ERR_FILTER_UNSUPPORTED', [0, 5]],
  ['tcp[0:2] == 00:50', 'ERR_FILTER_UNSUPPORTED', [0, 3]],
];

for (const [filter, code, [start, end]] of BROKEN) {
  test(`broken ${JSON.stringify(filter)} → ${code} at [${start}, ${end})`, () => {
    const r = parseFilter(filter, { lookup: testLookup });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]?.code, code, r.errors[0]?.message);
    assert.deepEqual(r.errors[0]?.span, { start, end });
  });
}

test('the error is rendered as tshark prints it: message, filter, caret with tildes', () => {
  const r = parseFilter('tcp.prot', { lookup: testLookup });
  assert.ok(!r.ok && r.errors[0]);
  assert.equal(formatFilterError('tcp.prot', r.errors[0], 'tshark: '), 'tshark: tcp.prot is neither a field nor a protocol name.\n    tcp.prot\n    ^~~~~~~~');
  assert.equal(underline(3, 0), '   ^');
  const end = parseFilter('tcp.len ==', { lookup: testLookup });
  assert.ok(!end.ok && end.errors[0]);
  assert.equal(formatFilterError('tcp.len ==', end.errors[0]), 'Unexpected end of filter expression.');
});

test('compileFilterOrThrow throws a LabError with the code; an empty filter passes everything', () => {
  assert.throws(() => compileFilterOrThrow('tcp.port ==', { lookup: testLookup }), (e) => isLabError(e) && e.code === 'ERR_FILTER_SYNTAX');
  const f = compileFilterOrThrow('   ', { lookup: testLookup });
  assert.equal(f.test({} as never), true);
  assert.deepEqual(f.fields, []);
});

test('explainFilter prints the checked tree, dftest-like, and the fields read', () => {
  const r = parseFilter('tcp.port in {1..100, 443} && !(tcp.flags & 0x12) || ip.addr == 10.0.0.0/8', { lookup: testLookup });
  assert.ok(r.ok);
  assert.equal(explainFilter(r.filter), [
    'Filter: tcp.port in {1..100, 443} && !(tcp.flags & 0x12) || ip.addr == 10.0.0.0/8',
    '',
    'Syntax tree:',
    ' 0 TEST_OR:',
    '   1 TEST_AND:',
    '     2 TEST_IN:',
    '       3 FIELD(tcp.port <FT_UINT16>)',
    '       3 SET(#2):',
    '         4 FVALUE(1 <FT_UINT16>) .. FVALUE(100 <FT_UINT16>)',
    '         4 FVALUE(443 <FT_UINT16>)',
    '     2 TEST_NOT:',
    '       3 OP_BITWISE_AND <FT_UINT16>:',
    '         4 FIELD(tcp.flags <FT_UINT16>)',
    '         4 FVALUE(18 <FT_UINT16>)',
    '   1 TEST_ANY_EQ:',
    '     2 FIELD(ip.addr <FT_IPv4>)',
    '     2 FVALUE(10.0.0.0/8 <FT_IPv4>)',
    '',
    'Fields read: tcp.port, tcp.flags, ip.addr',
    '',
  ].join('\n'));
});

test('long or-lists compile and run flat; hostile nesting is a clear error, not a crash', () => {
  const long = parseFilter(Array.from({ length: 20000 }, (_, i) => `tcp.port == ${i + 1}`).join(' or '), { lookup: testLookup });
  assert.ok(long.ok);
  assert.equal(long.filter.test(TEST_FRAMES[1] as never), true); // tcp.port 80
  assert.equal(long.filter.test(TEST_FRAMES[6] as never), false); // no TCP
  for (const deep of ['('.repeat(20000) + 'tcp' + ')'.repeat(20000), '!'.repeat(100000) + 'tcp', `tcp.len == ${'{'.repeat(20000)}1${'}'.repeat(20000)}`]) {
    const r = parseFilter(deep, { lookup: testLookup });
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.errors[0], { code: 'ERR_FILTER_SYNTAX', message: 'The filter is nested too deeply.', span: { start: -1, end: -1 } });
  }
});
