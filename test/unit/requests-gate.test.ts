import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { requestVerdict, sendsAsRequest, signalVerdict, type ContactFacts } from '../../shared/requests/contact-gate';

const stranger: ContactFacts = { contact: false, blocked: false, answering: false };
const contact: ContactFacts = { contact: true, blocked: false, answering: true };
const newContact: ContactFacts = { contact: true, blocked: false, answering: false };

describe('message request decisions', () => {
  test('signals: a contact’s reach the links; a stranger’s are not answered; a blocked account’s are dropped', () => {
    assert.equal(signalVerdict(contact), 'deliver');
    assert.equal(signalVerdict(newContact), 'deliver');
    assert.equal(signalVerdict(stranger), 'keep-unanswered');
    assert.equal(signalVerdict({ ...stranger, blocked: true }), 'drop');
    assert.equal(signalVerdict({ ...contact, blocked: true }), 'drop', 'blocking a contact refuses them too');
  });

  test('received requests: a stranger’s is a request, a contact’s a message, a blocked account’s dropped', () => {
    assert.equal(requestVerdict(stranger), 'request');
    assert.equal(requestVerdict(newContact), 'message');
    assert.equal(requestVerdict({ ...contact, blocked: true }), 'drop');
    assert.equal(requestVerdict({ ...stranger, blocked: true }), 'drop');
  });

  test('our messages go as requests only to an online contact who never answered and has no link', () => {
    assert.equal(sendsAsRequest(newContact, true, false), true);
    assert.equal(sendsAsRequest(newContact, false, false), false, 'offline: they wait in the outbox');
    assert.equal(sendsAsRequest(newContact, true, true), false, 'a link is up');
    assert.equal(sendsAsRequest(contact, true, false), false, 'they answer: the link carries it');
    assert.equal(sendsAsRequest(stranger, true, false), false, 'not a contact of ours (their request waits)');
    assert.equal(sendsAsRequest({ ...newContact, blocked: true }, true, false), false);
  });
});
