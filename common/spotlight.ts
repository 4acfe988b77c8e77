/**
 * Spotlighting: every untrusted text that reaches a prompt (a tool result, a document, a
 * retrieved passage, an e-mail) is put between an opening and a closing tag that carry a per-run
 * boundary, so the model can tell data from instructions, and nothing inside can end the data
 * early or open a forged block of its own. Pure and deterministic: the same text, source and
 * boundary always give the same result (retries and the response cache see the same prompt).
 */

import { fnv1aHex } from './fnv1a.js';
import { bidiControls, invisibleCharacters } from './hidden-characters.js';

/**
 * `<` or `</` before `untrusted`, with any spacing: the shape of an opening or closing tag, with
 * or without a boundary. Run on NFKC-normalised text, so full-width and other compatibility forms
 * (`＜／untrusted＞`) are caught too.
 */
const tagShape = /<(\s*\/?\s*untrusted)/gi;

export interface SpotlightOptions {
  /** Where the text came from (a URL, a file name, a tool): shown to the model in the opening tag. */
  source: string;
  /** The run's boundary (`spotlightBoundary`): letters and digits only. */
  boundary: string;
}

/**
 * The run's boundary: twelve hex digits hashed from its run id, the same on every retry. A run id
 * is random and never shown to the model; and a text that learns the boundary still cannot use
 * it, as `spotlight` removes it.
 */
export function spotlightBoundary(runId: string): string {
  return (fnv1aHex(runId) + fnv1aHex(runId, 0x9e3779b9)).slice(0, 12);
}

/** The text made safe to put between the tags: nothing in it can close or forge one. */
export function escapeUntrusted(text: string, boundary: string): string {
  return text
    .normalize('NFKC')
    .replace(invisibleCharacters, '')
    .replace(bidiControls, '')
    .replaceAll(boundary, '[boundary removed]')
    .replace(tagShape, '&lt;$1');
}

/**
 * `text` between `<untrusted-<boundary> source="...">` and `</untrusted-<boundary>>`, escaped
 * by `escapeUntrusted`. Prompts say that whatever stands between such tags is data, never
 * instructions.
 */
export function spotlight(text: string, options: SpotlightOptions): string {
  const { boundary } = options;
  if (!/^[0-9a-z]+$/i.test(boundary)) throw new Error(`spotlight boundary "${boundary}" is not alphanumeric`);
  const source = escapeUntrusted(options.source, boundary).replace(/["\n\r]/g, ' ');
  return [
    `<untrusted-${boundary} source="${source}">`,
    escapeUntrusted(text, boundary),
    `</untrusted-${boundary}>`,
  ].join('\n');
}

/**
 * The run's own tags in a text (`spotlight`'s opening and closing tags with this boundary): what
 * the guards skip, as the run wrote them. A text cannot forge one, as `spotlight` escapes it.
 */
export function spotlightTags(boundary: string): RegExp {
  return new RegExp(`<untrusted-${boundary} source="[^"\\n]*">|</untrusted-${boundary}>`, 'g');
}
