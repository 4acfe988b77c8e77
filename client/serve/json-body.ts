import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';
import { describeIssues } from '../../common/describe-issues.js';

/** A request's JSON body that fits `schema`, or a 400 that names what does not. */
export async function bodyOf<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const body: unknown = await c.req.json().catch(() => {
    throw new HTTPException(400, { message: 'the body is not JSON' });
  });
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new HTTPException(400, { message: describeIssues(parsed.error.issues).join('; ') });
  return parsed.data;
}
