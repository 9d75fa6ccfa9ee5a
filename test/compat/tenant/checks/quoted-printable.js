const qp = require("quoted-printable"); const utf8 = require("utf8"); exports.check = () => [qp.encode(utf8.encode("foo=bar ©")), utf8.decode(qp.decode("foo=3Dbar =C2=A9"))];
exports.expected = () => (["foo=3Dbar =C2=A9","foo=bar ©"]);
