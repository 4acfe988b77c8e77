import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findPii } from '../../activities/guards/pii/find-pii.js';
import { maskPii } from '../../activities/guards/pii/mask-pii.js';

const text = 'Dear Maria Gonzalez, your parcel for Paris left on Monday. Questions: help@shop.example.';

void describe('names and places (compromise)', () => {
  void it('are found when a profile names their types, with offsets into the text', () => {
    const found = findPii(text, { types: ['PERSON', 'LOCATION', 'EMAIL_ADDRESS'] });
    assert.deepEqual(
      found.map((entity) => [entity.type, text.slice(entity.start, entity.end)]),
      [
        ['PERSON', 'Maria Gonzalez'],
        ['LOCATION', 'Paris'],
        ['EMAIL_ADDRESS', 'help@shop.example'],
      ],
    );
    assert.equal(
      maskPii(text, found).text,
      'Dear <PERSON_1>, your parcel for <LOCATION_1> left on Monday. Questions: <EMAIL_1>.',
    );
  });

  void it('are left alone by default: the pattern types only', () => {
    assert.deepEqual(
      findPii(text).map((entity) => entity.type),
      ['EMAIL_ADDRESS'],
    );
  });
});
