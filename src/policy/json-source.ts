/**
 * A JSON reader that keeps what JSON.parse throws away: the line of every key, and
 * duplicate keys. OpenBao reads JSON policies with HCL's JSON dialect, where two
 * `"kv/data/x"` keys are two path blocks that it merges, so the linter must see both.
 */

export type JsonNode =
  | { kind: 'object'; line: number; entries: { key: string; line: number; value: JsonNode }[] }
  | { kind: 'array'; line: number; items: JsonNode[] }
  | { kind: 'scalar'; line: number; value: string | number | boolean | null };

export class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

export function parseJsonSource(text: string): JsonNode {
  let pos = 0;
  const where = (at: number) => {
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    return { line, column: at - before.lastIndexOf('\n') };
  };
  const fail = (message: string, at = pos): never => {
    const { line, column } = where(at);
    throw new JsonSyntaxError(line, column, message);
  };
  const ws = () => {
    while (pos < text.length && /\s/.test(text[pos] as string)) pos++;
  };
  const expect = (c: string) => {
    ws();
    if (text[pos] !== c) fail(pos >= text.length ? `unexpected end of input, expected "${c}"` : `expected "${c}", found "${text[pos]}"`);
    pos++;
  };
  const string = (): string => {
    const start = pos;
    const m = /^"(?:[^"\\\n]|\\.)*"/.exec(text.slice(pos));
    if (!m) fail('unterminated or invalid string', start);
    pos += (m as RegExpExecArray)[0].length;
    try {
      return JSON.parse((m as RegExpExecArray)[0]) as string;
    } catch {
      return fail('invalid escape in string', start);
    }
  };
  const value = (): JsonNode => {
    ws();
    const line = where(pos).line;
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries: { key: string; line: number; value: JsonNode }[] = [];
      ws();
      if (text[pos] === '}') {
        pos++;
        return { kind: 'object', line, entries };
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail('expected a quoted key');
        const keyLine = where(pos).line;
        const key = string();
        expect(':');
        entries.push({ key, line: keyLine, value: value() });
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] === '}') {
          pos++;
          return { kind: 'object', line, entries };
        } else fail(pos >= text.length ? 'unexpected end of input, expected "}"' : `expected "," or "}", found "${text[pos]}"`);
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonNode[] = [];
      ws();
      if (text[pos] === ']') {
        pos++;
        return { kind: 'array', line, items };
      }
      for (;;) {
        items.push(value());
        ws();
        if (text[pos] === ',') pos++;
        else if (text[pos] === ']') {
          pos++;
          return { kind: 'array', line, items };
        } else fail(pos >= text.length ? 'unexpected end of input, expected "]"' : `expected "," or "]", found "${text[pos]}"`);
      }
    }
    if (c === '"') return { kind: 'scalar', line, value: string() };
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(pos));
    if (!m) return fail(pos >= text.length ? 'unexpected end of input' : `unexpected "${c}"`);
    pos += m[0].length;
    return { kind: 'scalar', line, value: JSON.parse(m[0]) as string | number | boolean | null };
  };
  const root = value();
  ws();
  if (pos < text.length) fail(`unexpected "${text[pos]}" after the end of the document`);
  return root;
}

/** The plain value of a node; for duplicate keys the last wins, as in JSON.parse. */
export function plainJson(node: JsonNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'array') return node.items.map(plainJson);
  return Object.fromEntries(node.entries.map((e) => [e.key, plainJson(e.value)]));
}
