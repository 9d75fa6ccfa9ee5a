// CommonJS hook: `exports.x = ...`, a relative require and JSON data (through lib/pricing.js).
const { sumItems, applyDiscount, roundCents, currency, taxRate } = require("../lib/pricing.js");

exports.onOrderCreated = function onOrderCreated(order) {
  if (!order || !Array.isArray(order.items) || order.items.length === 0) {
    throw new Error("order needs at least one item");
  }
  const subtotal = sumItems(order.items);
  const { discount, applied, rejected } = applyDiscount(subtotal, order.discountCode);
  if (rejected) console.warn(`order ${order.id}: ${rejected}`);
  const net = roundCents(subtotal - discount);
  const tax = roundCents(net * taxRate);
  console.log(`order ${order.id} for ${context?.userId ?? "anonymous"}: ${order.items.length} item(s)`);
  return {
    orderId: order.id,
    currency,
    subtotal,
    discount,
    discountCode: applied,
    tax,
    total: roundCents(net + tax),
  };
};

exports.onOrderCancelled = (order) => ({ orderId: order.id, refund: sumItems(order.items), status: "cancelled" });
