// Reading the official SDK's event declarations (@larksuiteoapi/node-sdk types/index.d.ts: interface IHandles and
// the IOtherEventHandles it extends) with the TypeScript compiler API, and placing each declared field where it
// goes in the envelope.
import { createRequire } from 'node:module';
import type * as TS from 'typescript';

// require, not import: the compiler is CommonJS, and import() first scans its 9 MB for named exports (~0.3 s of CPU).
const ts = createRequire(import.meta.url)('typescript') as typeof TS;

export const SDK = '@larksuiteoapi/node-sdk';
export const DECLARATIONS = 'types/index.d.ts';

/** A field's shape, as the declarations give it. */
export type Shape =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'any' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'object'; fields: Field[] }
  | { kind: 'array'; items: Shape }
  | { kind: 'tuple'; elements: Shape[] }
  | { kind: 'record'; values: Shape };

export interface Field {
  name: string;
  optional: boolean;
  shape: Shape;
}

export type Protocol = '2.0' | '1.0';

/** One event type: as the SDK declares it, or as declared by hand in the facts file. */
export interface Declaration {
  type: string;
  protocol: Protocol;
  /** Where the declaration came from, for the schema's x-generated-from. */
  origin: string;
  title: string;
  description: string;
  deprecated: string | undefined;
  fields: Field[];
}

/** A problem with the declarations that the generator cannot work around: reported as one line, exit 2. */
export class DeclarationError extends Error {}

/** The 2.0 header's fields (the hand-written envelope schema's). */
export const HEADER_FIELDS = ['event_id', 'event_type', 'create_time', 'token', 'app_id', 'tenant_key'] as const;
/** Fields the SDK declares on every event for 1.0's sake. */
const V1_ONLY_FIELDS = ['ts', 'uuid', 'type'];
/** The 1.0 envelope's own fields (`event_id` is not one: 1.0 events have `uuid`). */
const V1_ENVELOPE_FIELDS = ['ts', 'uuid', 'token', 'type', 'event_id'];

/** 1.0 handlers have no JSDoc: their names as the platform's 1.0 event documentation gives them. */
const V1_TITLES: Record<string, string> = {
  add_bot: '机器人进群',
  add_user_to_chat: '用户进群、出群',
  app_open: '首次启用应用',
  app_status_change: '应用停启用',
  app_ticket: 'app_ticket 事件',
  app_uninstalled: '应用卸载',
  chat_disband: '群解散',
  contact_scope_change: '通讯录权限范围变更',
  dept_add: '部门新建',
  group_setting_update: '群配置修改',
  leave_approvalV2: '请假审批',
  message: '接收消息',
  message_read: '消息已读',
  order_paid: '应用商店应用购买',
  out_approval: '外出审批',
  p2p_chat_create: '用户和机器人的会话首次被创建',
  remedy_approval: '补卡审批',
  remove_bot: '机器人被移出群',
  shift_approval: '换班审批',
  third_party_meeting_room_event_created: '第三方会议室日程创建',
  trip_approval: '出差审批',
  user_add: '员工入职',
  user_status_change: '员工状态变更',
  work_approval: '加班审批',
};

function where(node: TS.Node, source: TS.SourceFile): string {
  const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
  return `${DECLARATIONS}:${line + 1}`;
}

function commentText(comment: string | TS.NodeArray<TS.JSDocComment> | undefined): string {
  return typeof comment === 'string' ? comment : (ts.getTextOfJSDocComment(comment) ?? '');
}

function jsDocOf(node: TS.Node): { text: string; deprecated: string | undefined } {
  const doc = ts.getJSDocCommentsAndTags(node).find((d): d is TS.JSDoc => ts.isJSDoc(d));
  if (!doc) return { text: '', deprecated: undefined };
  let deprecated: string | undefined;
  for (const tag of doc.tags ?? []) {
    if (tag.tagName.text !== 'deprecated') continue;
    deprecated = commentText(tag.comment).replace(/^:\s*/, '').trim() || 'deprecated';
  }
  return { text: commentText(doc.comment), deprecated };
}

/** The JSDoc's first line is the title (without the 【事件】 tag some carry), the rest the description. */
function titleAndDescription(text: string): { title: string; description: string } {
  const [first = '', ...rest] = text.split('\n');
  const title = first.replace(/^【事件】/, '').replace(/[;；\s]+$/, '').trim();
  const description = rest
    .join('\n')
    .replace(/;\s*(?=- )/g, '\n')
    .replace(/;+$/gm, '')
    .trim();
  return { title, description };
}

function nameOf(member: TS.TypeElement, source: TS.SourceFile): string {
  const name = member.name;
  if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name))) return name.text;
  throw new DeclarationError(`${where(member, source)}: unsupported property name ${name?.getText(source) ?? '(none)'}`);
}

function shapeOf(node: TS.TypeNode, source: TS.SourceFile): Shape {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { kind: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { kind: 'number' };
    case ts.SyntaxKind.BooleanKeyword:
      return { kind: 'boolean' };
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.ObjectKeyword:
      return { kind: 'any' };
    default:
  }
  if (ts.isParenthesizedTypeNode(node)) return shapeOf(node.type, source);
  if (ts.isTypeLiteralNode(node)) return { kind: 'object', fields: fieldsOf(node, source) };
  if (ts.isArrayTypeNode(node)) return { kind: 'array', items: shapeOf(node.elementType, source) };
  if (ts.isTupleTypeNode(node)) return { kind: 'tuple', elements: node.elements.map((e) => shapeOf(e, source)) };
  const literal = (t: TS.TypeNode): string | undefined => (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : undefined);
  if (literal(node) !== undefined) return { kind: 'enum', values: [literal(node) as string] };
  if (ts.isUnionTypeNode(node) && node.types.every((t) => literal(t) !== undefined)) {
    return { kind: 'enum', values: node.types.map((t) => literal(t) as string) };
  }
  if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
    const [first, second, ...more] = node.typeArguments ?? [];
    if (node.typeName.text === 'Array' && first && !second) return { kind: 'array', items: shapeOf(first, source) };
    if (node.typeName.text === 'Record' && first && second && more.length === 0 && first.kind === ts.SyntaxKind.StringKeyword) {
      return { kind: 'record', values: shapeOf(second, source) };
    }
  }
  throw new DeclarationError(`${where(node, source)}: unsupported type ${node.getText(source)} (teach scripts/gen-catalog about it)`);
}

function fieldsOf(literal: TS.TypeLiteralNode, source: TS.SourceFile): Field[] {
  return literal.members.map((member) => {
    if (!ts.isPropertySignature(member) || !member.type) throw new DeclarationError(`${where(member, source)}: unsupported member ${member.getText(source)}`);
    return { name: nameOf(member, source), optional: member.questionToken !== undefined, shape: shapeOf(member.type, source) };
  });
}

const HANDLER_INTERFACE = /^(?:export\s+|declare\s+)*interface\s+(?:IHandles|IOtherEventHandles)\b/gm;

/**
 * Only the handler interfaces of the declarations file, at their own lines (the rest blanked to newlines, so that
 * error messages keep their line numbers): the file is 17 MB with SDK 1.74, and parsing all of it takes seconds,
 * parsing these two interfaces milliseconds. The whole text when they cannot be found.
 */
export function handlerInterfacesOnly(text: string): string {
  const slices: Array<[number, number]> = [];
  for (const match of text.matchAll(HANDLER_INTERFACE)) {
    const start = match.index;
    const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
    scanner.resetTokenState(start);
    let depth = 0;
    let end = -1;
    for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
      if (token === ts.SyntaxKind.OpenBraceToken) depth++;
      else if (token === ts.SyntaxKind.CloseBraceToken && --depth === 0) {
        end = scanner.getTokenEnd();
        break;
      }
    }
    if (end === -1) return text;
    slices.push([start, end]);
  }
  if (slices.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of slices) {
    out += '\n'.repeat(countLines(text, at, start)) + text.slice(start, end);
    at = end;
  }
  return out;
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Every handler of IHandles (with the IOtherEventHandles it extends), sorted by event type. */
export function readDeclarations(text: string, sdk: string): Declaration[] {
  const source = ts.createSourceFile(DECLARATIONS, handlerInterfacesOnly(text), ts.ScriptTarget.Latest, true);
  const interfaces = new Map<string, TS.InterfaceDeclaration>();
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement)) interfaces.set(statement.name.text, statement);
  }
  const handles = interfaces.get('IHandles');
  if (!handles) throw new DeclarationError(`${DECLARATIONS} declares no interface IHandles`);
  const chain = [handles];
  for (const clause of handles.heritageClauses ?? []) {
    for (const base of clause.types) {
      const declaration = interfaces.get(base.expression.getText(source));
      if (declaration) chain.push(declaration);
    }
  }
  const out = new Map<string, Declaration>();
  for (const declaration of chain) {
    const protocol: Protocol = declaration === handles ? '2.0' : '1.0';
    for (const member of declaration.members) {
      const type = nameOf(member, source);
      if (out.has(type)) continue; // IHandles wins over the interface it extends
      const fn = ts.isPropertySignature(member) ? member.type : undefined;
      const param = fn && ts.isFunctionTypeNode(fn) ? fn.parameters[0]?.type : undefined;
      if (!param || !ts.isTypeLiteralNode(param)) throw new DeclarationError(`${where(member, source)}: handler ${type} does not take an object literal`);
      const doc = jsDocOf(member);
      const { title, description } = titleAndDescription(doc.text);
      out.set(type, {
        type,
        protocol,
        origin: `${sdk} ${DECLARATIONS} ${declaration.name.text}`,
        title: title || V1_TITLES[type] || type,
        description,
        deprecated: doc.deprecated,
        fields: fieldsOf(param, source),
      });
    }
  }
  return sortByType([...out.values()]);
}

export function sortByType<T extends { type: string }>(list: T[]): T[] {
  return list.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

export interface PlacedFields {
  header: Field[];
  envelope: Field[];
  event: Field[];
}

/** Where each declared field goes in the envelope. */
export function placeFields(declaration: Declaration): PlacedFields {
  const header: Field[] = [];
  const envelope: Field[] = [];
  const event: Field[] = [];
  const isHeaderName = (name: string): boolean => (HEADER_FIELDS as readonly string[]).includes(name);
  // The SDK's declarations list the header's fields (and the 1.0 ones) first, then the event's. A name in both
  // is declared once: where the header's is (in that leading block) but with the event's type, since the event's
  // value is the one a handler sees (corehr.employee.domain_event_v2: `event_type?: number`), or, when the header's
  // was dropped, among the event's fields (helpdesk.ticket_message.created_v1: `event_id: string`).
  const leading = new Set<string>();
  for (const field of declaration.fields) {
    if (!isHeaderName(field.name) && !V1_ONLY_FIELDS.includes(field.name)) break;
    leading.add(field.name);
  }
  for (const field of declaration.fields) {
    if (declaration.protocol === '2.0') {
      const inHeader = isHeaderName(field.name) && leading.has(field.name) && field.shape.kind === 'string';
      if (inHeader) header.push(field);
      else if (!(V1_ONLY_FIELDS.includes(field.name) && leading.has(field.name))) event.push(field);
    } else if (V1_ENVELOPE_FIELDS.includes(field.name)) {
      envelope.push(field);
    } else {
      event.push(field);
    }
  }
  return { header, envelope, event };
}

/** The items of a tuple: the SDK writes some arrays of objects as tuples of identical objects (copied from an example). */
export function tupleAsArray(shape: Extract<Shape, { kind: 'tuple' }>): Shape | undefined {
  const [first, ...rest] = shape.elements;
  if (!first || first.kind !== 'object') return undefined;
  const same = rest.every((element) => JSON.stringify(element) === JSON.stringify(first));
  return same ? first : undefined;
}
