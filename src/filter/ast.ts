/**
 * The display-filter syntax tree (Wireshark's stnode_t kinds as a discriminated union). Every node
 * carries the span Wireshark would point at in an error, and `repr`, its display form in messages
 * (Wireshark's stnode_todisplay).
 */
import type { Span } from './token.js';
import type { FieldDef } from '../fields/field.js';

/** One slice range as written: [i:j] (start, length), [i-j] (start, end), [i], [:j], [i:]. */
export type RangeNode =
  | { kind: 'length'; start: number; length: number }
  | { kind: 'offset'; start: number; end: number }
  | { kind: 'to_end'; start: number };

export type CmpOp = 'any_eq' | 'all_ne' | 'all_eq' | 'any_ne' | 'gt' | 'ge' | 'lt' | 'le';
export type ArithOp = 'bitwise_and' | 'add' | 'subtract' | 'multiply' | 'divide' | 'modulo' | 'unary_minus';
/** `any`/`all` prefix of a relation (STNODE_MATCH_*); 'def' when none was written. */
export type MatchHow = 'def' | 'any' | 'all';

export type Node =
  | { kind: 'field'; def: FieldDef; repr: string; span: Span; layer: RangeNode[] | undefined }
  | { kind: 'literal'; text: string; repr: string; span: Span }
  | { kind: 'string'; bytes: Uint8Array; repr: string; span: Span }
  | { kind: 'charconst'; code: number; repr: string; span: Span }
  | { kind: 'reference'; def: FieldDef; repr: string; span: Span }
  | { kind: 'slice'; entity: Node; ranges: RangeNode[]; rangeText: string; repr: string; span: Span }
  | { kind: 'function'; name: string; args: Node[]; repr: string; span: Span }
  | { kind: 'arith'; op: ArithOp; left: Node; right: Node | undefined; repr: string; span: Span }
  | { kind: 'cmp'; op: CmpOp; how: MatchHow; left: Node; right: Node; repr: string; span: Span }
  | { kind: 'contains' | 'matches'; how: MatchHow; left: Node; right: Node; repr: string; span: Span }
  | { kind: 'in'; how: MatchHow; left: Node; set: SetElement[]; repr: string; span: Span }
  | { kind: 'and' | 'or'; left: Node; right: Node; repr: string; span: Span }
  | { kind: 'not'; operand: Node; repr: string; span: Span };

export interface SetElement {
  lo: Node;
  hi: Node | undefined;
}

export type TestNode = Extract<Node, { kind: 'cmp' | 'contains' | 'matches' | 'in' | 'and' | 'or' | 'not' }>;

/** Wireshark's drange_node_tostr: "0:4", "2-5", "3:" … */
export function rangeNodeToString(r: RangeNode): string {
  switch (r.kind) {
    case 'length': return `${r.start}:${r.length}`;
    case 'offset': return `${r.start}-${r.end}`;
    case 'to_end': return `${r.start}:`;
  }
}
