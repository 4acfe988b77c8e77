/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * `llmos serve`'s pages in a real headless Chromium (the distribution's, driven by playwright-core),
 * over a worker process with the example company's knowledge base and the scripted demo model: a
 * customer asks and watches the answer being written, then reads it with its citation; an angry
 * message is handed to a person, who answers from the inbox, and the customer reads the answer.
 * With LLMOS_TEST_SCREENSHOTS set, the pages' screenshots are written to that folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';
import { demoWorkerSkip, startDemoWorker } from '../helpers/demo-worker.js';
import { connectTemporal } from '../helpers/temporal.js';
import { spawnLlmosCommand, type WorkerProcess } from '../helpers/worker-process.js';

const chromiumPath = process.env.LLMOS_TEST_CHROMIUM;
const skip = chromiumPath
  ? demoWorkerSkip
  : 'LLMOS_TEST_CHROMIUM is not set: run scripts/chromium/install-chromium.sh';
const screenshots = process.env.LLMOS_TEST_SCREENSHOTS;

/** Every text and state the page's agent messages took, recorded in the page as they change. */
interface Seen {
  key: string;
  state: string;
  text: string;
}

void describe('llmos serve in a headless Chromium', { timeout: 300_000, skip }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let worker: WorkerProcess;
  let server: ReturnType<typeof spawnLlmosCommand>;
  let browser: Browser;
  let base: string;
  const scratch = mkdtempSync(path.join(tmpdir(), 'llmos-serve-'));
  before(async () => {
    temporal = await connectTemporal();
    let env: Record<string, string>;
    ({ worker, env } = await startDemoWorker(temporal, scratch));
    const port = await freePort();
    server = spawnLlmosCommand(['serve', '--port', String(port), '--model', 'scripted:demo-support'], env);
    base = `http://127.0.0.1:${port}`;
    await eventually(
      'the serve start line',
      () => server.output().includes('Chat page') || undefined,
      60_000,
    );
    browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    await worker?.stop();
    await temporal?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const snap = async (page: Page, name: string) => {
    if (!screenshots) return;
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
  };
  const seen = (page: Page) => page.evaluate(() => (window as unknown as { seen: Seen[] }).seen);
  const lastAgentMessage = (page: Page) =>
    page.evaluate(() => {
      const all = [...document.querySelectorAll<HTMLElement>('.message.agent')];
      const last = all.at(-1);
      return last ? { text: last.querySelector('p')!.textContent, state: last.dataset.state } : undefined;
    });

  void it('streams a cited answer, hands an angry customer to a person who answers from the inbox', async () => {
    const chat = await browser.newPage();
    await chat.goto(`${base}/`);
    await chat.getByLabel('Customer id').fill('C-1001');
    await chat.getByLabel('Your name').fill('Jane Roe');
    await chat.getByRole('button', { name: 'Start chat' }).click();
    await chat.getByRole('status').getByText('Connected', { exact: true }).waitFor();
    assert.equal(await chat.locator('#start').isVisible(), false, 'the start form is gone');
    // Records every change of the agent's messages, as the customer would have seen it.
    await chat.evaluate(() => {
      const record = window as unknown as { seen: Seen[] };
      record.seen = [];
      new MutationObserver(() => {
        for (const element of document.querySelectorAll<HTMLElement>('.message.agent')) {
          const entry = {
            key: element.dataset.key!,
            state: element.dataset.state!,
            text: element.querySelector('p')!.textContent,
          };
          const last = record.seen.filter((item) => item.key === entry.key).at(-1);
          if (!last || last.text !== entry.text || last.state !== entry.state) record.seen.push(entry);
        }
      }).observe(document.getElementById('log')!, {
        childList: true,
        subtree: true,
        characterData: true,
        attributes: true,
      });
    });

    await chat.getByLabel('Message').fill('How long do I have to return a router?');
    await chat.getByRole('button', { name: 'Send' }).click();
    if (screenshots) {
      // A picture of a draft, when one is caught on screen: not part of what the test checks.
      const drafting = await chat
        .waitForFunction(
          () => (document.querySelector('.message.draft p')?.textContent ?? '').length > 40,
          undefined,
          { timeout: 10_000, polling: 10 },
        )
        .then(
          () => true,
          () => false,
        );
      if (drafting) await snap(chat, 'chat-streaming');
    }
    await chat.locator('.message.agent[data-state="final"]').first().waitFor({ timeout: 60_000 });
    const answer = await lastAgentMessage(chat);
    assert.match(answer!.text, /^You may return any Brightline product within 30 days of delivery/);
    assert.match(answer!.text, /\[returns\.md#0\]/, 'the answer cites its passage');
    assert.match(answer!.text, /policy BL-RT-1/);
    // Streamed: the customer saw the answer grow, each draft the start of the answer.
    const drafts = (await seen(chat)).filter((item) => item.state === 'draft' && item.text !== '…');
    // Drafts come in batches (150 ms apart) and are polled: how many depends on the machine's load.
    assert.ok(drafts.length >= 2, `the answer was seen growing: ${JSON.stringify(drafts)}`);
    for (const draft of drafts) assert.ok(answer!.text.startsWith(draft.text), `draft: ${draft.text}`);
    await snap(chat, 'chat-answered');

    await chat
      .getByLabel('Message')
      .fill('This is ridiculous, my router died again and nobody helps. I want a real person!');
    await chat.getByRole('button', { name: 'Send' }).click();
    await chat.getByText('A member of our team will answer here.').waitFor({ timeout: 60_000 });

    const inbox = await browser.newPage();
    await inbox.goto(`${base}/inbox`);
    await inbox.getByLabel('Your name').fill('Sam');
    const card = inbox.locator('#handoffs .card', { hasText: 'Jane Roe' });
    await card.waitFor({ timeout: 30_000 });
    const facts = await card.locator('.facts').textContent();
    assert.match(facts!, /sentiment -0\.8 is below -0\.5\. Sentiment -0\.80; router; ticket T-\d+/);
    const ticket = /ticket (T-\d+)/.exec(facts!)![1]!;
    assert.match((await card.textContent()) ?? '', /Customer: This is ridiculous/);
    await inbox.locator('#tickets td', { hasText: ticket }).waitFor();
    await snap(inbox, 'inbox-handoff');

    const answerText = `I am sorry, Jane. A new R2 router leaves our warehouse today; your ticket is ${ticket}.`;
    await card.getByRole('textbox').fill(answerText);
    await card.getByRole('button', { name: 'Send reply' }).click();
    const personMessage = chat.locator('.message.person', { hasText: answerText });
    await personMessage.waitFor({ timeout: 30_000 });
    assert.equal(await personMessage.locator('small').textContent(), 'Sam');
    await snap(chat, 'chat-person-replied');

    // The card shows the reply once the inbox polls again; from then on it stays as it is.
    await card.getByText(answerText).waitFor({ timeout: 30_000 });
    await card.getByRole('button', { name: 'Give back to the agent' }).click();
    await inbox.getByText('No conversation waits for a person.').waitFor({ timeout: 30_000 });
    await chat.getByLabel('Message').fill('Thank you, that is all.');
    await chat.getByRole('button', { name: 'Send' }).click();
    await eventually('the agent answers again', async () => {
      const last = await lastAgentMessage(chat);
      return last?.state === 'final' && last.text?.startsWith('You are welcome!') ? last : undefined;
    });
  });
});
