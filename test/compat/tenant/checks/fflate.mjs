import { gzipSync, gunzipSync, strToU8, strFromU8, zipSync, unzipSync, deflateSync, inflateSync, Gzip } from "fflate";
// The callback forms (gzip(data, cb), ...) run on worker_threads: not in the sandbox. The sync forms and the
// push-stream classes work.
export function check() {
  const data = strToU8("hello hello hello hello ".repeat(20));
  const z = zipSync({ "a.txt": strToU8("A"), "dir/b.txt": strToU8("B") });
  const chunks = [];
  const g = new Gzip({ level: 6 }, (c) => chunks.push(c));
  g.push(strToU8("hello "));
  g.push(strToU8("world"), true);
  const streamed = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) { streamed.set(c, o); o += c.length; }
  return [strFromU8(gunzipSync(gzipSync(data))).length, gzipSync(data).length < data.length, Object.keys(unzipSync(z)), strFromU8(inflateSync(deflateSync(strToU8("xyz")))), strFromU8(gunzipSync(streamed))];
}
export const expected = () => ([480,true,["a.txt","dir/b.txt"],"xyz","hello world"]);
