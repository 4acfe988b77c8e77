import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { passesLuhn } from '../../activities/guards/pii/credit-card.js';
import { findPii } from '../../activities/guards/pii/find-pii.js';
import { ibanChecksumHolds } from '../../activities/guards/pii/iban.js';
import { isPossibleSsn } from '../../activities/guards/pii/us-ssn.js';

/** The entities of `text` as `TYPE:value` strings, in order. */
const found = (text: string): string[] =>
  findPii(text).map((entity) => `${entity.type}:${text.slice(entity.start, entity.end)}`);

void describe('PII recognizers', () => {
  void it('finds each pattern type with its exact offsets', () => {
    const text =
      'Mail jane.roe@example.co.uk or call +44 20 7946 0958. Card 4111 1111 1111 1111, ' +
      'IBAN GB82 WEST 1234 5698 7654 32, SSN 078-05-1121, from 192.168.10.4 and 2001:db8::8a2e:370:7334.';
    assert.deepEqual(found(text), [
      'EMAIL_ADDRESS:jane.roe@example.co.uk',
      'PHONE_NUMBER:+44 20 7946 0958',
      'CREDIT_CARD:4111 1111 1111 1111',
      'IBAN_CODE:GB82 WEST 1234 5698 7654 32',
      'US_SSN:078-05-1121',
      'IP_ADDRESS:192.168.10.4',
      'IP_ADDRESS:2001:db8::8a2e:370:7334',
    ]);
  });

  void it('checks card numbers with Luhn and an issuer prefix or the word "card"', () => {
    assert.equal(passesLuhn('4111111111111111'), true);
    assert.equal(passesLuhn('4111111111111112'), false);
    assert.deepEqual(found('Declined: 4111 1111 1111 1112.'), [], 'a wrong check digit is no card');
    // Luhn-valid but no issuer starts with 9: an id, unless the text calls it a card.
    assert.deepEqual(found('Reference 9000000000000001 attached.'), []);
    assert.deepEqual(found('My card is 9000000000000001.'), ['CREDIT_CARD:9000000000000001']);
  });

  void it('checks IBANs by country length and mod 97, and keeps the word after one out', () => {
    assert.equal(ibanChecksumHolds('GB82WEST12345698765432'), true);
    assert.equal(ibanChecksumHolds('GB82WEST12345698765433'), false);
    assert.deepEqual(found('Pay to GB82WEST12345698765433 today.'), []);
    assert.deepEqual(found('Pay to gb82west12345698765432 today.'), ['IBAN_CODE:gb82west12345698765432']);
  });

  void it('keeps SSNs to numbers that could be issued, and bare digits to their context', () => {
    assert.equal(isPossibleSsn('666', '12', '3456'), false);
    assert.equal(isPossibleSsn('912', '12', '3456'), false);
    assert.equal(isPossibleSsn('123', '00', '3456'), false);
    assert.deepEqual(found('Case 666-12-3456 closed.'), []);
    assert.deepEqual(found('Ticket 536224817 is open.'), []);
    assert.deepEqual(found('My social security number is 536224817.'), ['US_SSN:536224817']);
  });

  void it('leaves order numbers, dates, prices, versions and house numbers alone', () => {
    for (const text of [
      'Where is my order 4567891234?',
      'Invoice INV-2024-00981 was paid on 2024-05-12.',
      'The total was $1,299.00 for 3 items.',
      'Meeting at 14:30:00 on 12.05.2024.',
      'After upgrading to 10.4.12.3 it crashed.',
      'SKU 915689-859 is out of stock.',
      'Please send it to 1987 74 Diakou St.',
    ]) {
      assert.deepEqual(found(text), [], text);
    }
  });

  void it('reads a bare phone number as one only next to a word such as "call"', () => {
    assert.deepEqual(found('Account 2025550143 is locked.'), []);
    assert.deepEqual(found('Call me on 2025550143 tomorrow.'), ['PHONE_NUMBER:2025550143']);
    assert.deepEqual(found('Office: (202) 555-0143.'), ['PHONE_NUMBER:(202) 555-0143']);
  });
});
