import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, parsePayloadKeys, payloadKeysFromEnv } from '../../workers/payload-encryption.js';

const key = () => randomBytes(32).toString('base64');

void describe('EncryptionCodec', () => {
  const [oldKey, newKey] = [key(), key()];
  const payload = defaultPayloadConverter.toPayload({ question: 'What did Acme pay in 2024?' });

  void it('seals a payload whole and opens it again', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(`k1:${oldKey}`, 'test'));
    const [sealed] = await codec.encode([payload]);
    assert.ok(!Buffer.from(sealed!.data!).toString('latin1').includes('Acme'));
    assert.equal(Buffer.from(sealed!.metadata!.encoding!).toString(), 'binary/encrypted');
    const [opened] = await codec.decode([sealed!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(opened!), {
      question: 'What did Acme pay in 2024?',
    });
    // A fresh IV each time: the same payload never seals to the same bytes.
    const [again] = await codec.encode([payload]);
    assert.notDeepEqual(Buffer.from(again!.data!), Buffer.from(sealed!.data!));
  });

  void it('rotates: the newest key encrypts, an older one still opens what it sealed', async () => {
    const before = new EncryptionCodec(parsePayloadKeys(`2025:${oldKey}`, 'test'));
    const after = new EncryptionCodec(parsePayloadKeys(`2025:${oldKey}\n2026:${newKey}`, 'test'));
    const [old] = await before.encode([payload]);
    const [fresh] = await after.encode([payload]);
    assert.equal(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString(), '2026');
    await after.decode([old!]);
    await assert.rejects(
      before.decode([fresh!]),
      /encrypted with key "2026", which this process does not have \(it has 2025\)/,
    );
  });

  void it('refuses an altered payload, and passes a plaintext one through', async () => {
    const codec = new EncryptionCodec(parsePayloadKeys(`k:${oldKey}`, 'test'));
    const [sealed] = await codec.encode([payload]);
    const altered = Buffer.from(sealed!.data!);
    altered[20] = altered[20]! ^ 1;
    await assert.rejects(
      codec.decode([{ ...sealed!, data: altered }]),
      /does not open with key "k": altered/,
    );
    assert.deepEqual(await codec.decode([payload]), [payload]);
  });

  void it('names what is wrong with a key listing, and never shows a key', () => {
    assert.throws(() => parsePayloadKeys('', 'LLMOS_PAYLOAD_KEYS'), /LLMOS_PAYLOAD_KEYS lists no key/);
    assert.throws(() => parsePayloadKeys(`:${oldKey}`, 'X'), /entry 1 has no key id/);
    assert.throws(() => parsePayloadKeys('short:c2hvcnQ=', 'X'), /key "short" is 5 bytes, not 32/);
    assert.throws(() => parsePayloadKeys(`a:${oldKey},a:${newKey}`, 'X'), /key id "a" is listed twice/);
    try {
      parsePayloadKeys(`a:${oldKey},b:${oldKey.slice(0, 20)}`, 'X');
    } catch (error) {
      assert.ok(!(error as Error).message.includes(oldKey.slice(0, 20)));
    }
    assert.equal(payloadKeysFromEnv({}), undefined);
    assert.throws(
      () => payloadKeysFromEnv({ LLMOS_PAYLOAD_KEYS: `a:${oldKey}`, LLMOS_PAYLOAD_KEYS_FILE: '/x' }),
      /not both/,
    );
    assert.throws(
      () => payloadKeysFromEnv({ LLMOS_PAYLOAD_KEYS_FILE: '/nonexistent/keys' }),
      /cannot read LLMOS_PAYLOAD_KEYS_FILE/,
    );
  });
});
