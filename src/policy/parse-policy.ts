import { basename, extname } from 'node:path';
import { hclOutline, type OutlineNode } from './hcl-outline.js';
import { JsonSyntaxError, parseJsonSource, plainJson, type JsonNode } from './json-source.js';
import { PolicyParseError, type ParameterConstraint, type PathBlock, type PolicyDocument } from './model.js';

/** A path block before normalisation: its label, header line, keyed outline and parsed body. */
interface RawBlock {
  path: string;
  line: number;
  outline: OutlineNode[];
  body: Record<string, unknown>;
}

const TOP_LEVEL_KEYS = new Set(['path', 'name']);

/**
 * Parses an HCL or JSON ACL policy. JSON is recognised by a `.json` name or a leading
 * `{` (an HCL body cannot start with one). Throws PolicyParseError with line and column
 * for anything OpenBao would not read as a policy.
 */
export async function parsePolicy(file: string, text: string): Promise<PolicyDocument> {
  const isJson = extname(file).toLowerCase() === '.json' || text.trimStart().startsWith('{');
  const { blocks, name } = isJson ? readJson(file, text) : await readHcl(file, text);
  if (blocks.length === 0) throw new PolicyParseError(file, 1, 1, 'no `path` blocks: this is not an OpenBao ACL policy');
  return {
    file,
    name: name?.value ?? basename(file, extname(file)),
    nameLine: name?.line ?? 1,
    format: isJson ? 'json' : 'hcl',
    blocks: blocks.map(normalise),
  };
}

type Read = { blocks: RawBlock[]; name?: { value: string; line: number } };

async function readHcl(file: string, text: string): Promise<Read> {
  let parsed: Record<string, unknown>;
  try {
    // Imported on use: the package boots a Go WebAssembly runtime (~60 MB) that a serving
    // broker, which loads every CLI command, must not carry.
    const { parse: parseHcl } = await import('@cdktf/hcl2json');
    parsed = await parseHcl(basename(file), text);
  } catch (error) {
    throw hclParseError(file, (error as Error).message);
  }
  const outline = hclOutline(text);
  rejectUnknownTopLevel(file, Object.keys(parsed), outline);
  // Bodies per label in source order; hcl2json keeps duplicates as an array under one key.
  const bodies = new Map<string, Record<string, unknown>[]>();
  const paths = parsed['path'];
  if (paths !== undefined && (typeof paths !== 'object' || paths === null || Array.isArray(paths))) {
    throw new PolicyParseError(file, outline.find((n) => n.key === 'path')?.line ?? 1, 1, 'a path block needs exactly one label: path "<path>" { … }');
  }
  for (const [label, value] of Object.entries((paths ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(value) || value.some((b) => typeof b !== 'object' || b === null || Array.isArray(b))) {
      const line = outline.find((n) => n.key === 'path' && n.labels[0] === label)?.line ?? 1;
      throw new PolicyParseError(file, line, 1, `path "${label}": a path block needs exactly one label and a { … } body`);
    }
    bodies.set(label, value as Record<string, unknown>[]);
  }
  const seen = new Map<string, number>();
  const blocks: RawBlock[] = [];
  for (const node of outline.filter((n) => n.key === 'path' && n.labels.length === 1)) {
    const label = node.labels[0] as string;
    const index = seen.get(label) ?? 0;
    seen.set(label, index + 1);
    blocks.push({ path: label, line: node.line, outline: node.children ?? [], body: bodies.get(label)?.[index] ?? {} });
  }
  const nameNode = outline.find((n) => n.key === 'name');
  return { blocks, ...(typeof parsed['name'] === 'string' ? { name: { value: parsed['name'], line: nameNode?.line ?? 1 } } : {}) };
}

function readJson(file: string, text: string): Read {
  let root: JsonNode;
  try {
    root = parseJsonSource(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw new PolicyParseError(file, error.line, error.column, `invalid JSON: ${error.message}`);
    throw error;
  }
  if (root.kind !== 'object') throw new PolicyParseError(file, root.line, 1, 'a JSON policy is an object: {"path": {"<path>": {…}}}');
  rejectUnknownTopLevel(file, root.entries.map((e) => e.key), root.entries.map((e) => ({ key: e.key, labels: [], line: e.line })));
  const blocks: RawBlock[] = [];
  let name: Read['name'];
  for (const entry of root.entries) {
    if (entry.key === 'name' && entry.value.kind === 'scalar' && typeof entry.value.value === 'string') {
      name = { value: entry.value.value, line: entry.line };
      continue;
    }
    if (entry.key !== 'path') continue;
    // HCL's JSON dialect also accepts a list of objects: "path": [{"a": {…}}, {"a": {…}}].
    const groups = entry.value.kind === 'array' ? entry.value.items : [entry.value];
    for (const group of groups) {
      if (group.kind !== 'object') throw new PolicyParseError(file, group.line, 1, '"path" must map each path to an object');
      for (const p of group.entries) {
        for (const body of p.value.kind === 'array' ? p.value.items : [p.value]) {
          if (body.kind !== 'object') throw new PolicyParseError(file, body.line, 1, `path "${p.key}" must be an object`);
          blocks.push({ path: p.key, line: p.line, outline: jsonOutline(body), body: plainJson(body) as Record<string, unknown> });
        }
      }
    }
  }
  return { blocks, ...(name ? { name } : {}) };
}

/**
 * hcl2json reports "parse config: [name:LINE,COL-LINE,COL: Summary; Detail. name:LINE,…]",
 * every error after the first often a consequence of it; report the first, count the rest.
 */
function hclParseError(file: string, message: string): PolicyParseError {
  const name = basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const at = [...message.matchAll(new RegExp(`${name}:(\\d+),(\\d+)(?:-[\\d,]+)?: `, 'g'))];
  const first = at[0];
  if (!first || first.index === undefined) return new PolicyParseError(file, 1, 1, message);
  const end = at[1]?.index ?? message.length;
  const reason = message.slice(first.index + first[0].length, end).replace(/[\s,\]]+$/, '');
  const more = at.length > 1 ? ` (and ${at.length - 1} more error${at.length === 2 ? '' : 's'})` : '';
  return new PolicyParseError(file, Number(first[1]), Number(first[2]), `${reason}${more}`);
}

function jsonOutline(node: JsonNode): OutlineNode[] {
  if (node.kind !== 'object') return [];
  return node.entries.map((e) => ({ key: e.key, labels: [], line: e.line, ...(e.value.kind === 'object' ? { children: jsonOutline(e.value) } : {}) }));
}

function rejectUnknownTopLevel(file: string, keys: string[], outline: OutlineNode[]): void {
  const unknown = keys.find((k) => !TOP_LEVEL_KEYS.has(k));
  if (unknown === undefined) return;
  const line = outline.find((n) => n.key === unknown)?.line ?? 1;
  throw new PolicyParseError(file, line, 1, `unknown top-level "${unknown}": an OpenBao policy holds only path blocks (and an optional name)`);
}

// OpenBao maps the pre-capabilities `policy = "…"` shorthand onto capabilities.
const OLD_STYLE: Record<string, string[]> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

function normalise(raw: RawBlock): PathBlock {
  const body = raw.body;
  const caps = Array.isArray(body['capabilities']) ? body['capabilities'].map(String) : [];
  const old = typeof body['policy'] === 'string' ? (OLD_STYLE[body['policy']] ?? []) : [];
  const keyed = (key: string) => raw.outline.find((n) => n.key === key);
  const constraints = (key: string): ParameterConstraint[] | undefined => {
    const value = body[key];
    if (value === undefined) return undefined;
    // Block syntax (`allowed_parameters { … }`) arrives as a list of objects.
    const merged = Array.isArray(value) ? Object.assign({}, ...value.filter((v) => typeof v === 'object')) : value;
    const node = keyed(key);
    // hcl2json sorts keys; put them back in source order.
    return Object.entries((merged ?? {}) as Record<string, unknown>)
      .map(([name, values]) => ({ name, values, line: node?.children?.find((c) => c.key === name)?.line ?? node?.line ?? raw.line }))
      .sort((a, b) => a.line - b.line);
  };
  const allowed = constraints('allowed_parameters');
  const denied = constraints('denied_parameters');
  const required = Array.isArray(body['required_parameters']) ? body['required_parameters'].map(String) : undefined;
  return {
    path: raw.path,
    line: raw.line,
    capabilities: old[0] === 'deny' ? ['deny'] : [...new Set([...caps, ...old])],
    keys: raw.outline.map((n) => ({ name: n.key, line: n.line })),
    ...(allowed ? { allowed } : {}),
    ...(denied ? { denied } : {}),
    ...(required ? { required } : {}),
    body,
  };
}
