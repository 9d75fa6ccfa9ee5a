const Keygrip = require("keygrip"); exports.check = () => { const k = new Keygrip(["new", "old"], "sha256"); const s = k.sign("bieberschnitzel"); return [s, k.verify("bieberschnitzel", s), k.index("bieberschnitzel", new Keygrip(["old"], "sha256").sign("bieberschnitzel"))]; };
exports.expected = () => (["s6Sxpe_GTEoPqcJCIb-S7avZ5dc3VNijlYHp1SMfyvQ",true,1]);
