const Sqrl = require("squirrelly");
exports.check = () => Sqrl.render("Hi {{it.name}}! {{@each(it.items) => x}}[{{x}}]{{/each}} {{@if(it.vip)}}VIP{{/if}}", { name: "Ann", items: [1, 2], vip: true });
exports.expected = () => ("Hi Ann! [1][2] VIP");
