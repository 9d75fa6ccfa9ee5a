const htm = require("htm"); const vhtml = require("vhtml"); exports.check = () => { const html = htm.bind(vhtml); return html`<div class="x"><p>Hello ${"<w>"}</p>${[1, 2].map((i) => html`<i>${i}</i>`)}</div>`; };
exports.expected = () => ("<div class=\"x\"><p>Hello &lt;w&gt;</p><i>1</i><i>2</i></div>");
