import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ingestDocument, listDocuments } from '../../activities/analysis/ingest.js';
import { findQuote } from '../../activities/analysis/verify-quote.js';

const cuad = path.join(import.meta.dirname, '..', 'fixtures', 'cuad');
const pdfs = [
  {
    name: 'ArcaUsTreasuryFund_20200207_N-2_EX-99.K5_11971930_EX-99.K5_Development Agreement.pdf',
    pages: 5,
    phrase:
      'The Blockchain Administrator agrees to maintain and keep all books, accounts and other records of the Fund',
  },
  {
    name: 'AzulSa_20170303_F-1A_EX-10.3_9943903_EX-10.3_Maintenance Agreement2.pdf',
    pages: 9,
    phrase: 'Global Maintenance Agreement',
  },
  {
    name: 'CCAINDUSTRIESINC_04_14_2014-EX-10.1-OUTSOURCING AGREEMENT.pdf',
    pages: 16,
    phrase: 'This Services Outsourcing Agreement (this "Agreement") is made as of January 20, 2014',
  },
];

let scratch: string;
before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'llmos-ingest-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

void describe('ingestDocument', () => {
  for (const pdf of pdfs) {
    void it(`extracts the text of ${pdf.name.slice(0, 30)} page by page`, async () => {
      const document = await ingestDocument(path.join(cuad, 'pdf', pdf.name));
      assert.equal(document.format, 'pdf');
      assert.equal(document.name, pdf.name);
      assert.equal(document.id, pdf.name);
      assert.equal(document.pages, pdf.pages);
      assert.ok(document.text.length > 10_000, `${document.text.length} characters`);
      assert.ok(findQuote(document.text, pdf.phrase), pdf.phrase);
      // Pages are separated by a blank line, and lines are rebuilt (not one run per line).
      assert.ok(document.text.split('\n\n').length >= pdf.pages);
      const lines = document.text.split('\n').filter((line) => line.length > 0);
      assert.ok(lines.reduce((sum, line) => sum + line.length, 0) / lines.length > 40);
    });
  }

  void it('reads plain text and Markdown, normalized', async () => {
    const contract = 'CCAINDUSTRIESINC_04_14_2014-EX-10.1-OUTSOURCING AGREEMENT.txt';
    const text = await ingestDocument(path.join(cuad, 'txt', contract), 'txt/contract.txt');
    assert.deepEqual(
      [text.id, text.name, text.format, text.pages],
      ['txt/contract.txt', contract, 'text', undefined],
    );
    assert.ok(text.text.length > 30_000);
    assert.doesNotMatch(text.text, /\r| {2}|\t/);

    const notes = path.join(scratch, 'notes.markdown');
    await writeFile(notes, '# Notes\r\n\r\nSome  *terms*.\r\n');
    assert.deepEqual(await ingestDocument(notes), {
      id: 'notes.markdown',
      name: 'notes.markdown',
      format: 'markdown',
      text: '# Notes\n\nSome *terms*.',
    });
    const md = path.join(scratch, 'README.MD');
    await writeFile(md, 'x');
    assert.equal((await ingestDocument(md)).format, 'markdown');
  });

  void it('names the file in every error', async () => {
    const docx = path.join(scratch, 'contract.docx');
    await writeFile(docx, 'PK');
    await assert.rejects(
      ingestDocument(docx),
      (error: Error) => error.message.includes(docx) && /unsupported/.test(error.message),
    );
    const empty = path.join(scratch, 'empty.txt');
    await writeFile(empty, ' \n\n \t\n');
    await assert.rejects(
      ingestDocument(empty),
      (error: Error) => error.message.includes(empty) && /empty/.test(error.message),
    );
    const missing = path.join(scratch, 'missing.md');
    await assert.rejects(ingestDocument(missing), (error: Error) => error.message.includes(missing));
    const broken = path.join(scratch, 'broken.pdf');
    await writeFile(broken, 'this is not a PDF');
    await assert.rejects(ingestDocument(broken), (error: Error) => error.message.includes(broken));
  });

  void it('skips what is not text, saying why, and reads a legacy 8-bit text', async () => {
    const random = path.join(scratch, 'random.txt');
    await writeFile(random, randomBytes(100_000));
    await assert.rejects(ingestDocument(random), {
      message: `document ${random} is not text (it holds NUL bytes): skipped`,
    });
    // Without a NUL byte, random bytes are still mostly neither UTF-8 nor Windows-1252 text.
    const noNul = path.join(scratch, 'no-nul.txt');
    await writeFile(noNul, Buffer.from(randomBytes(20_000).filter((byte) => byte !== 0)));
    await assert.rejects(
      ingestDocument(noNul),
      /^Error: document .*no-nul\.txt is not text \(\d+% of it is neither UTF-8 nor Windows-1252 text\): skipped$/,
    );
    const legacy = path.join(scratch, 'legacy.txt');
    await writeFile(legacy, Buffer.from('Le café était très épicé, à côté de la forêt.\n', 'latin1'));
    assert.equal((await ingestDocument(legacy)).text, 'Le café était très épicé, à côté de la forêt.');
  });

  void it('agrees with CUAD’s own text export on a PDF', async () => {
    const pdf = await ingestDocument(path.join(cuad, 'pdf', pdfs[0]!.name));
    const exported = await readFile(path.join(cuad, 'txt', pdfs[0]!.name.replace(/\.pdf$/, '.txt')), 'utf8');
    // A long sentence from CUAD's export is found verbatim (up to whitespace) in the extraction.
    const sentence = exported.match(/In compliance with the requirements of Rule 31a-3[^.]+\./)?.[0];
    assert.ok(sentence);
    assert.ok(findQuote(pdf.text, sentence));
  });
});

void describe('listDocuments', () => {
  void it('lists supported files in folders recursively, sorted, each once', async () => {
    const folder = path.join(scratch, 'inbox');
    await mkdir(path.join(folder, 'b', 'deep'), { recursive: true });
    for (const file of ['z.txt', 'a.md', 'b/deep/c.pdf', 'b/skip.docx', 'b/notes.markdown', 'image.png']) {
      await writeFile(path.join(folder, file), 'x');
    }
    const listed = await listDocuments([folder, path.join(folder, 'a.md'), folder]);
    assert.deepEqual(
      listed.map((source) => source.id),
      ['a.md', 'b/deep/c.pdf', 'b/notes.markdown', 'z.txt'],
    );
    assert.ok(listed.every((source) => path.isAbsolute(source.file)));
    const single = await listDocuments([path.join(folder, 'b', 'skip.docx')]);
    assert.deepEqual(
      single.map((source) => source.id),
      ['skip.docx'],
    );
    await assert.rejects(listDocuments([path.join(scratch, 'nowhere')]), /nowhere/);
  });
});
