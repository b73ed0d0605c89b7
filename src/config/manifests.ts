// Reads a manifest file's text into its YAML documents (multi-document files allowed), bounded in size and count.
import { LineCounter, parseAllDocuments } from 'yaml';
import { MAX_DOCUMENTS_PER_FILE, MAX_YAML_ALIAS_COUNT } from './constants.js';
import type { SourceDocument, SourceUnit } from './origin.js';

/**
 * Parse `text` (the content of `file`, named relative to its source) into documents. Any YAML
 * syntax error anywhere in the file makes the whole file unreadable: a half-written file must
 * not yield half its resources.
 */
export function parseManifestText(file: string, text: string): SourceUnit {
  const origin = { kind: 'file', path: file } as const;
  let parsed;
  const lines = new LineCounter();
  try {
    parsed = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  } catch (err) {
    return { origin, status: 'unreadable', message: `not valid YAML: ${err instanceof Error ? err.message : String(err)}` };
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length > MAX_DOCUMENTS_PER_FILE) {
    return {
      origin,
      status: 'unreadable',
      message: `holds ${list.length} YAML documents, more than the limit of ${MAX_DOCUMENTS_PER_FILE}; split it into several files`,
    };
  }
  const documents: SourceDocument[] = [];
  for (const [index, document] of list.entries()) {
    const error = document.errors[0];
    if (error) {
      const position = lines.linePos(error.pos[0]);
      const where = ` at line ${position.line}, column ${position.col}`;
      return {
        origin,
        status: 'unreadable',
        message: `not valid YAML in document ${index + 1}${where}: ${error.message.split('\n')[0]}`,
      };
    }
    try {
      documents.push({ origin: { ...origin, documentIndex: index }, value: document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }) as unknown });
    } catch (err) {
      return {
        origin,
        status: 'unreadable',
        message: `document ${index + 1} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
  }
  return { origin, status: 'parsed', documents };
}
