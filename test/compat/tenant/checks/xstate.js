const { createMachine, createActor, assign } = require("xstate");
exports.check = () => {
  const m = createMachine({ id: "order", initial: "cart", context: { items: 0 }, states: {
    cart: { on: { ADD: { actions: assign({ items: ({ context }) => context.items + 1 }) }, CHECKOUT: { target: "paid", guard: ({ context }) => context.items > 0 } } },
    paid: { on: { SHIP: "shipped" } }, shipped: { type: "final" } } });
  const a = createActor(m).start(); const seen = [];
  a.subscribe((s) => seen.push(s.value));
  a.send({ type: "CHECKOUT" }); a.send({ type: "ADD" }); a.send({ type: "ADD" }); a.send({ type: "CHECKOUT" }); a.send({ type: "SHIP" });
  const snap = a.getSnapshot();
  return [snap.value, snap.context.items, snap.status, seen];
};
exports.expected = () => (["shipped",2,"done",["cart","cart","cart","paid","shipped"]]);
