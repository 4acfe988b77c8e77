import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { ErrorType } from '../../common/errors.js';
import { spotlight } from '../../common/spotlight.js';
import { defineTool, ToolInputError } from './tool.js';

export interface HttpGetOptions {
  /** Hosts (`example.com` or `example.com:8080`) the tool may fetch from; empty refuses every URL. */
  allowedHosts: readonly string[];
  timeoutMs?: number;
  /** Response bodies are cut to this many characters before they reach the model. */
  maxCharacters?: number;
  maxRedirects?: number;
}

function isAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  return allowedHosts.some((allowed) => {
    const entry = allowed.toLowerCase();
    return entry.includes(':') ? entry === host : entry === hostname;
  });
}

function parseUrl(text: string, allowedHosts: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ToolInputError(`"${text}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ToolInputError(`only http and https URLs are allowed`);
  if (!isAllowed(url, allowedHosts)) {
    const list = allowedHosts.length > 0 ? allowedHosts.join(', ') : 'none (set LLMOS_HTTP_ALLOWED_HOSTS)';
    throw new ToolInputError(`host ${url.host} is not on the allow-list; allowed hosts: ${list}`);
  }
  return url;
}

/**
 * Fetches a URL from an allow-list of hosts (redirects are followed only within it). 4xx answers
 * are observations for the model; 5xx and network errors are retryable `ToolFailed` failures.
 * The body reaches the model spotlighted (`spotlight`): marked as data that cannot close its own tags.
 */
export function createHttpGetTool(options: HttpGetOptions) {
  const { allowedHosts, timeoutMs = 10_000, maxCharacters = 8_000, maxRedirects = 3 } = options;
  return defineTool({
    name: 'http_get',
    description: `Fetches a web page or API response by URL (GET) and returns its status and text. Allowed hosts: ${
      allowedHosts.length > 0 ? allowedHosts.join(', ') : 'none'
    }.`,
    inputSchema: z.object({ url: z.string().min(1).max(2_000).describe('Absolute http(s) URL') }),
    async execute({ url: text }, context) {
      let url = parseUrl(text, allowedHosts);
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(timeoutMs)]);
      for (let redirects = 0; ; redirects += 1) {
        let response: Response;
        try {
          response = await fetch(url, {
            redirect: 'manual',
            signal,
            headers: { accept: 'text/*, application/json' },
          });
        } catch (error) {
          throw ApplicationFailure.create({
            type: ErrorType.ToolFailed,
            message: `GET ${url.href} failed: ${(error as Error).message}`,
          });
        }
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && location) {
          if (redirects >= maxRedirects)
            throw new ToolInputError(`more than ${maxRedirects} redirects from ${text}`);
          url = parseUrl(new URL(location, url).href, allowedHosts);
          continue;
        }
        if (response.status >= 500) {
          throw ApplicationFailure.create({
            type: ErrorType.ToolFailed,
            message: `GET ${url.href} answered ${response.status}`,
          });
        }
        const body = await response.text();
        const shown =
          body.length > maxCharacters
            ? `${body.slice(0, maxCharacters)}\n[... ${body.length - maxCharacters} more characters cut]`
            : body;
        return [
          `HTTP ${response.status} ${response.headers.get('content-type') ?? ''}`.trim(),
          spotlight(shown, { source: url.href, boundary: context.boundary }),
        ].join('\n');
      }
    },
  });
}
