/**
 * Where things are in an HCL policy. The HCL parser (@cdktf/hcl2json) gives values but
 * no positions, so this scanner recovers the outline — keys, block labels and their
 * lines — from the text. It runs only on text the real parser has already accepted, so
 * it can be lenient; comments and strings are honoured so a commented-out `path "…"`
 * is not mistaken for a block.
 */

export interface OutlineNode {
  key: string;
  labels: string[];
  line: number;
  /** Keys of a block body or an object value; absent for scalars and lists. */
  children?: OutlineNode[];
}

interface Token {
  kind: 'word' | 'string' | 'punct';
  value: string;
  line: number;
}

export function hclOutline(text: string): OutlineNode[] {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];

  const skipBalanced = () => {
    let depth = 0;
    do {
      const t = tokens[pos++];
      if (!t) return;
      if (t.kind === 'punct' && '[{('.includes(t.value)) depth++;
      if (t.kind === 'punct' && ']})'.includes(t.value)) depth--;
    } while (depth > 0);
  };

  const items = (insideBraces: boolean): OutlineNode[] => {
    const nodes: OutlineNode[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos] as Token;
      if (t.kind === 'punct') {
        pos++;
        if (t.value === '}' && insideBraces) return nodes;
        continue;
      }
      pos++;
      const node: OutlineNode = { key: t.value, labels: [], line: t.line };
      while (peek()?.kind === 'string') node.labels.push((tokens[pos++] as Token).value);
      const next = peek();
      if (next?.value === '{') {
        pos++;
        node.children = items(true);
      } else if (next?.value === '=' || next?.value === ':') {
        pos++;
        const value = peek();
        if (value?.value === '{') {
          pos++;
          node.children = items(true);
        } else if (value?.value === '[' || value?.value === '(') {
          skipBalanced();
        } else {
          pos++;
          if (peek()?.value === '(') skipBalanced();
        }
      }
      nodes.push(node);
    }
    return nodes;
  };
  return items(false);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '#' || text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      line += countNewlines(text, i, stop);
      i = stop;
    } else if (c === '"') {
      const start = line;
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"' && text[i] !== '\n') {
        if (text[i] === '\\' && i + 1 < text.length) {
          const e = text[i + 1] as string;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
        } else value += text[i++];
      }
      i++;
      tokens.push({ kind: 'string', value, line: start });
    } else if (text.startsWith('<<', i)) {
      // Heredoc: skip its body up to the line holding only the marker.
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
      const marker = m?.[1];
      if (!marker) {
        i += 2;
        continue;
      }
      const endRe = new RegExp(`\\n[ \\t]*${marker}[ \\t]*(?=\\n|$)`, 'g');
      endRe.lastIndex = i;
      const end = endRe.exec(text);
      const stop = end ? end.index + end[0].length : text.length;
      tokens.push({ kind: 'string', value: '', line });
      line += countNewlines(text, i, stop);
      i = stop;
    } else if ('{}[]=:,()'.includes(c)) {
      tokens.push({ kind: 'punct', value: c, line });
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      const m = /^[^\s{}[\]=:,()"#]+/.exec(text.slice(i, i + 200));
      const word = m?.[0] ?? c;
      tokens.push({ kind: 'word', value: word, line });
      i += word.length;
    }
  }
  return tokens;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text[i] === '\n') n++;
  return n;
}
