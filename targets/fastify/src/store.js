// The data behind an async call, so the handler awaits it like a driver: the memory store of
// targets/CONTRACT.md, users generated from their id (the rule's one home in this target).

export function contractUser(id) {
  return { id, name: `User ${id}`, email: `user${id}@example.com` };
}

export class MemoryStore {
  constructor(count) {
    // Built once at start: a request only does a lookup, like a cache hit in a real service.
    this.users = new Map();
    for (let id = 1; id <= count; id++) this.users.set(id, contractUser(id));
  }

  async fetchUser(id) {
    return this.users.get(id) ?? null;
  }

  async ping() {
    return true;
  }
}
