import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { ErrorType } from '../../../common/errors.js';
import type { RemoteJudge } from '../../../common/guards.js';
import type { InjectionJudgement, NoJudgement } from './remote-judges.js';

/**
 * What a Lakera-style guard API answers: `flagged`, and optionally a score and the detectors
 * that fired (`breakdown`). Other fields are ignored.
 */
const GuardApiResponseSchema = z.looseObject({
  flagged: z.boolean(),
  score: z.number().min(0).max(1).optional(),
  breakdown: z
    .array(z.looseObject({ detector_type: z.string().optional(), detected: z.boolean().optional() }))
    .optional(),
});

/**
 * Asks a guard API whether `text` is an injection: POST `{"messages": [{"role": "user",
 * "content": text}]}` with the key as a bearer token. A 4xx other than 429 is the non-retryable
 * `JudgeRejected` (the same request will fail again); a 429, a 5xx, a timeout or a network error
 * throws a plain error, which the activity's retry policy retries. A 200 whose body is no verdict
 * is recorded as none.
 */
export async function askHttpJudge(
  judge: Extract<RemoteJudge, { kind: 'http' }>,
  text: string,
  services: { fetch: typeof fetch; env: NodeJS.ProcessEnv },
): Promise<InjectionJudgement | NoJudgement> {
  const apiKey = judge.apiKeyEnv ? services.env[judge.apiKeyEnv] : undefined;
  if (judge.apiKeyEnv && !apiKey)
    throw ApplicationFailure.create({
      type: ErrorType.JudgeRejected,
      message: `the guard judge at ${judge.url} needs an API key in ${judge.apiKeyEnv}, which is not set`,
      nonRetryable: true,
    });
  const response = await services.fetch(judge.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    },
    body: JSON.stringify({ messages: [{ role: 'user', content: text }] }),
    signal: AbortSignal.timeout(judge.timeoutMs),
  });
  const body = await response.text();
  if (response.status >= 400 && response.status < 500 && response.status !== 429)
    throw ApplicationFailure.create({
      type: ErrorType.JudgeRejected,
      message: `the guard judge at ${judge.url} refused the request: HTTP ${response.status} ${body.slice(0, 200)}`,
      nonRetryable: true,
    });
  if (!response.ok) throw new Error(`the guard judge at ${judge.url} answered HTTP ${response.status}`);
  let parsed: z.infer<typeof GuardApiResponseSchema>;
  try {
    parsed = GuardApiResponseSchema.parse(JSON.parse(body));
  } catch {
    return { unusable: `its answer is not a verdict: ${body.slice(0, 120)}` };
  }
  const detectors = (parsed.breakdown ?? [])
    .filter((entry) => entry.detected && entry.detector_type)
    .map((entry) => entry.detector_type!);
  return {
    injection: parsed.flagged,
    score: parsed.score ?? (parsed.flagged ? 1 : 0),
    reason: detectors.length > 0 ? detectors.join(', ') : parsed.flagged ? 'flagged' : 'not flagged',
  };
}
