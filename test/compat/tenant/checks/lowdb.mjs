import { LowSync, MemorySync } from "lowdb"; export function check() { const db = new LowSync(new MemorySync(), { posts: [] }); db.read(); db.data.posts.push({ id: 1, t: "hi" }); db.write(); return db.data; }
export const expected = () => ({"posts":[{"id":1,"t":"hi"}]});
