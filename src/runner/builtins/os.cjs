// A machine that tells nothing about the host: fixed, neutral answers (no host name, users, interfaces,
// load or memory figures reach the realm).
const EOL = "\n";
function zero() {
  return 0;
}
module.exports = {
  EOL,
  devNull: "/dev/null",
  constants: { signals: {}, errno: {}, priority: {} },
  arch: () => "x64",
  availableParallelism: () => 1,
  cpus: () => [],
  endianness: () => "LE",
  freemem: zero,
  totalmem: zero,
  getPriority: zero,
  setPriority() {},
  homedir: () => "/",
  tmpdir: () => "/tmp",
  hostname: () => "sandbox",
  loadavg: () => [0, 0, 0],
  machine: () => "x86_64",
  networkInterfaces: () => ({}),
  platform: () => "linux",
  release: () => "",
  type: () => "Linux",
  uptime: zero,
  userInfo: () => ({ uid: -1, gid: -1, username: "sandbox", homedir: "/", shell: null }),
  version: () => "",
};
