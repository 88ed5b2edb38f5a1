// An in-memory stand-in for the group service, installed into a running app page, for the
// group screens' screenshots and UI tests while the real service is not in this build. It lives
// only here (never in the app): it sets `service.groups` and the groups slice of <pc-app>, and
// writes the groups' messages into the page's history database like the service would.
import type { BrowserUser } from './browser-types';

export interface FakeMember {
  username: string;
  admin?: boolean;
}

export interface FakeMessage {
  from: string;
  text: string;
  /** Minutes before now. */
  ago: number;
  outgoing?: boolean;
  /** Outgoing: member accounts (lowercased) that have it. */
  deliveredTo?: string[];
  /** A line about the group ("alice added carol"), not a message: `from` made the change. */
  line?: { kind: 'created' | 'added' | 'removed' | 'promoted' | 'renamed' | 'left'; who?: string; name?: string };
}

export interface FakeGroup {
  id: string;
  name: string;
  members: FakeMember[];
  me: { kind: 'member'; admin: boolean } | { kind: 'removed'; by: string } | { kind: 'left' };
  messages: FakeMessage[];
  unread?: number;
}

export interface FakeSetup {
  me: string;
  groups: FakeGroup[];
  /** Contacts to list (conversations with a last message). */
  contacts: string[];
}

/** Installs the fake into the page (logged in, history open) and waits for the slice to draw. */
export async function installFakeGroups(user: BrowserUser, setup: FakeSetup): Promise<void> {
  await user.evaluate(async (arg: FakeSetup) => {
    type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const app = document.querySelector('pc-app') as Any;
    const svc = app.service as Any;
    // The history database opens just after logging in.
    for (let i = 0; i < 200 && !svc.database; i++) await new Promise((r) => setTimeout(r, 25));
    const db = svc.database as Any;
    const now = Date.now();
    const key = (n: string) => n.toLowerCase();
    const hex = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const view = (g: FakeGroup) => ({
      id: g.id,
      conv: `group:${g.id}`,
      name: g.name,
      members: g.members.map((m) => ({ username: m.username, key: key(m.username), admin: !!m.admin })),
      me: g.me,
      lines: g.messages.filter((m) => m.line).map((m) => ({ id: hex(), ts: now - m.ago * 60_000, by: m.from, ...m.line })),
    });
    let value = { groups: new Map(arg.groups.map((g) => [g.id, view(g)] as const)), loaded: true };
    const subs = new Set<(v: unknown) => void>();
    const state = {
      get: () => value,
      set(v: typeof value) {
        value = v;
        for (const f of [...subs]) f(v);
      },
      update(fn: (v: typeof value) => typeof value) {
        state.set(fn(value));
      },
      subscribe(fn: (v: unknown) => void) {
        subs.add(fn);
        return () => subs.delete(fn);
      },
    };
    const convs: Any[] = [];
    const put = async (m: Any) => {
      await db.put('messages', m);
      for (const f of [...svc.messageListeners]) f(m);
    };
    const touch = async (conv: string, peerName: string, lastText: string, lastTs: number, unread = 0) => {
      const c = { conv, peerName, lastText, lastTs, unread, contact: 'contact' };
      await db.put('conversations', c);
      const i = convs.findIndex((x) => x.conv === conv);
      if (i >= 0) convs[i] = c;
      else convs.push(c);
      svc.conversations.update((s: Any) => ({ ...s, list: [...s.list.filter((x: Any) => x.conv !== conv), c] }));
    };
    for (const [i, name] of arg.contacts.entries()) {
      await touch(key(name), name, i === 0 ? 'See you on Saturday!' : 'Thanks!', now - (i + 1) * 3_600_000);
    }
    for (const g of arg.groups) {
      let last: Any = null;
      for (const m of g.messages) {
        if (m.line) continue;
        const rec = {
          id: hex(),
          conv: `group:${g.id}`,
          from: m.outgoing ? arg.me : m.from,
          outgoing: !!m.outgoing,
          text: m.text,
          ts: now - m.ago * 60_000,
          state: m.outgoing ? (m.deliveredTo?.length ? 'delivered' : 'sent') : 'received',
          ...(m.deliveredTo ? { deliveredTo: m.deliveredTo } : {}),
        };
        await db.put('messages', rec);
        last = rec;
      }
      await touch(`group:${g.id}`, g.name, last ? (last.outgoing ? last.text : `${last.from}: ${last.text}`) : '', last?.ts ?? now - 86_400_000, g.unread ?? 0);
    }
    const patch = (id: string, fn: (g: Any) => Any) => {
      const next = new Map(value.groups);
      next.set(id, fn(next.get(id)));
      state.set({ ...value, groups: next });
    };
    const line = (id: string, l: Any) => patch(id, (g) => ({ ...g, lines: [...g.lines, { id: hex(), ts: Date.now(), by: arg.me, ...l }] }));
    const refuse = (code: string) => Object.assign(new Error(code), { name: 'PeerchatError', code, params: {} });
    const actions = {
      state,
      async create(name: string, members: string[]) {
        if (members.some((m) => key(m) === 'nobody')) throw refuse('UNKNOWN_USER');
        const id = hex();
        const g = { id, name, members: [{ username: arg.me, admin: true }, ...members.map((username) => ({ username }))], me: { kind: 'member', admin: true }, messages: [] };
        patch(id, () => view(g as FakeGroup));
        await touch(`group:${id}`, name, '', Date.now());
        line(id, { kind: 'created', name });
        return id;
      },
      async sendText(id: string, text: string) {
        await put({ id: hex(), conv: `group:${id}`, from: arg.me, outgoing: true, text, ts: Date.now(), state: 'sent', deliveredTo: [] });
      },
      async sendFiles() {
        throw refuse('FILE_SEND_FAILED');
      },
      async addMembers(id: string, names: string[]) {
        if (names.some((m) => key(m) === 'nobody')) throw refuse('UNKNOWN_USER');
        patch(id, (g) => ({ ...g, members: [...g.members, ...names.map((n) => ({ username: n, key: key(n), admin: false }))] }));
        for (const n of names) line(id, { kind: 'added', who: n });
      },
      async removeMember(id: string, name: string) {
        patch(id, (g) => ({ ...g, members: g.members.filter((m: Any) => m.key !== key(name)) }));
        line(id, { kind: 'removed', who: name });
      },
      async makeAdmin(id: string, name: string) {
        patch(id, (g) => ({ ...g, members: g.members.map((m: Any) => (m.key === key(name) ? { ...m, admin: true } : m)) }));
        line(id, { kind: 'promoted', who: name });
      },
      async rename(id: string, name: string) {
        patch(id, (g) => ({ ...g, name }));
        line(id, { kind: 'renamed', name });
      },
      async leave(id: string) {
        patch(id, (g) => ({ ...g, me: { kind: 'left' }, members: g.members.filter((m: Any) => m.key !== key(arg.me)) }));
        line(id, { kind: 'left' });
      },
    };
    svc.groups = actions;
    app.groupsProvider.setValue(state);
    (window as Any).__groupFake = {
      actions,
      /** A message from `from` written `ago` minutes before now, arriving now (late if older than the last one shown). */
      arrive: (id: string, from: string, text: string, ago: number) => put({ id: hex(), conv: `group:${id}`, from, outgoing: false, text, ts: Date.now() - ago * 60_000, state: 'received' }),
      removeMe: (id: string, by: string) => patch(id, (g) => ({ ...g, me: { kind: 'removed', by }, members: g.members.filter((m: Any) => m.key !== key(arg.me)) })),
    };
  }, setup);
}
