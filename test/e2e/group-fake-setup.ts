// The groups the group screens are shown and tested with (test/e2e/group-fake.ts installs them).
import type { FakeSetup } from './group-fake';

export const HIKE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const BOOKS = 'b1b2c3d4e5f60718293a4b5c6d7e8f90';
export const FAMILY = 'c1b2c3d4e5f60718293a4b5c6d7e8f90';

/** alice: admin of "Weekend hike", a member of "Family", removed from the book club. */
export const SETUP: FakeSetup = {
  me: 'alice',
  contacts: ['bob', 'carol', 'dave'],
  groups: [
    {
      id: HIKE,
      name: 'Weekend hike',
      members: [{ username: 'alice', admin: true }, { username: 'bob', admin: true }, { username: 'carol' }, { username: 'dave' }, { username: 'maximilian_vandersteen-longname' }],
      me: { kind: 'member', admin: true },
      messages: [
        { from: 'alice', text: '', ago: 300, line: { kind: 'created', name: 'Weekend hike' } },
        { from: 'bob', text: '', ago: 299, line: { kind: 'added', who: 'maximilian_vandersteen-longname' } },
        { from: 'bob', text: 'Who is in for Saturday? The forecast says sun all day.', ago: 240 },
        { from: 'bob', text: 'Train leaves 8:10 from platform 3.', ago: 239 },
        { from: 'carol', text: 'Me! I can bring the map and some snacks.', ago: 200 },
        { from: 'alice', text: 'Count me in. I booked the hut for the night.', ago: 120, outgoing: true, deliveredTo: ['bob', 'carol'] },
        { from: 'maximilian_vandersteen-longname', text: 'Sounds great — what time do we meet at the station?', ago: 60 },
        { from: 'alice', text: '7:50 at the ticket machines 🙂', ago: 20, outgoing: true, deliveredTo: ['bob', 'carol', 'dave', 'maximilian_vandersteen-longname'] },
        { from: 'alice', text: 'And bring rain jackets just in case.', ago: 5, outgoing: true },
      ],
    },
    {
      id: BOOKS,
      name: 'Book club: the classics we keep meaning to read, one chapter a week',
      members: [{ username: 'bob', admin: true }, { username: 'dave' }],
      me: { kind: 'removed', by: 'bob' },
      messages: [
        { from: 'bob', text: 'Chapter 3 for next week.', ago: 3000 },
        { from: 'bob', text: '', ago: 2900, line: { kind: 'removed', who: 'alice' } },
      ],
    },
    {
      id: FAMILY,
      name: 'Family',
      members: [{ username: 'dave', admin: true }, { username: 'alice' }, { username: 'carol' }],
      me: { kind: 'member', admin: false },
      unread: 3,
      messages: [
        { from: 'dave', text: 'Dinner on Sunday at ours?', ago: 90 },
        { from: 'carol', text: 'Yes please', ago: 80 },
        { from: 'dave', text: 'Great, 6 pm.', ago: 70 },
      ],
    },
  ],
};
