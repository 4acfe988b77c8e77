import type { Client } from '@temporalio/client';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { withRestoredAnswer } from '../restore-answer.js';
import { followReplies, replyStreamOffset, ReplyViews, type ReplyView } from '../reply-stream.js';

/**
 * `GET /api/sessions/:id/events`: the session's replies as server-sent events, one `view` event
 * each time what the customer should see of a reply changes: the draft as it grows (a superseded
 * attempt already dropped by `ReplyViews`), then the decided reply with its personal data put back.
 * Each event's id is its stream offset, so a browser that reconnects (`Last-Event-ID`) carries on
 * where it was; a new reader starts with what comes next. A `ready` event says the stream is open.
 */
export function replyEvents(client: Client, c: Context, sessionId: string): Response {
  return streamSSE(c, async (sse) => {
    let open = true;
    sse.onAbort(() => {
      open = false;
    });
    const lastSeen = Number(c.req.header('last-event-id') ?? Number.NaN);
    const from = Number.isInteger(lastSeen) ? lastSeen + 1 : await replyStreamOffset(client, sessionId);
    await sse.writeSSE({ event: 'ready', data: JSON.stringify({ offset: from }) });
    const views = new ReplyViews();
    for await (const { offset, event } of followReplies(client, sessionId, from)) {
      if (!open) break;
      const view = views.apply(event);
      if (view)
        await sse.writeSSE({ event: 'view', id: String(offset), data: JSON.stringify(await shown(view)) });
    }
    if (open) await sse.writeSSE({ event: 'closed', data: '{}' });
  });
}

/** What the customer reads: a decided reply's placeholders put back from the vault; drafts as they are. */
async function shown(view: ReplyView): Promise<ReplyView> {
  if (view.state !== 'final' || !view.piiVault) return view;
  const { piiVault, ...rest } = view;
  const { answer } = await withRestoredAnswer({ answer: view.text, piiVault });
  return { ...rest, text: answer ?? view.text };
}
