import PQueue from "p-queue";
export async function check() {
  const q = new PQueue({ concurrency: 2 }); let running = 0, peak = 0; const order = [];
  const task = (i) => async () => { running++; peak = Math.max(peak, running); await new Promise((r) => setTimeout(r, 5)); order.push(i); running--; return i * 2; };
  const results = await Promise.all([1, 2, 3, 4].map((i) => q.add(task(i))));
  await q.onIdle();
  return [results, peak, q.size, q.pending, order.length];
}
export const expected = () => ([[2,4,6,8],2,0,0,4]);
