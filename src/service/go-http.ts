// Replies shaped like Go's net/http and encoding/json, so callers of kyverno-notation-aws see the same bytes.
import type { FastifyReply } from 'fastify';
import { goJsonEscape } from '../common/index.js';

const TEXT_CONTENT_TYPE = 'text/plain; charset=utf-8';
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const CONTROL_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Control characters (and the JS line separators) as escapes: reasons quote image names and
 * container keys from the pod, and a newline there would forge lines in Kyverno's message and logs.
 */
function escapeControlCharacters(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => CONTROL_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Go's `http.Error(w, message, status)`: plain text, nosniff, one line ending with a newline. */
export function sendGoError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', TEXT_CONTENT_TYPE)
    .header('x-content-type-options', 'nosniff')
    .send(`${escapeControlCharacters(message)}\n`);
}

/** Go's `json.MarshalIndent(v, "  ", "  ")` as the peer writes its 200 responses. */
export function marshalIndentLikeGo(value: unknown): string {
  return goJsonEscape(JSON.stringify(value, null, 2)).replace(/\n/g, '\n  ');
}

/** Go's `%v` of kyverno-notation-aws's ImageInfo: `{{registry name path tag digest} jsonPointer}`. */
export function formatImageInfoLikeGo(image: {
  registry: string;
  name: string;
  path: string;
  tag: string;
  digest: string;
  jsonPointer: string;
}): string {
  return `{{${image.registry} ${image.name} ${image.path} ${image.tag} ${image.digest}} ${image.jsonPointer}}`;
}
