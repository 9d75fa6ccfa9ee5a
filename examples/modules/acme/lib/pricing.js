// CommonJS helper module, required by hooks/orders.js with a relative path.
const config = require("../data/discounts.json");

function roundCents(amount) {
  return Math.round(amount * 100) / 100;
}

function sumItems(items) {
  let total = 0;
  for (const item of items) {
    if (typeof item.price !== "number" || typeof item.qty !== "number") {
      throw new TypeError(`item ${item.sku ?? "?"} needs a numeric price and qty`);
    }
    total += item.price * item.qty;
  }
  return roundCents(total);
}

function applyDiscount(subtotal, code) {
  if (!code) return { discount: 0, applied: null };
  const rule = config.codes[code];
  if (!rule) return { discount: 0, applied: null, rejected: `unknown code ${code}` };
  if (rule.minSubtotal && subtotal < rule.minSubtotal) {
    return { discount: 0, applied: null, rejected: `${code} needs a subtotal of ${rule.minSubtotal}` };
  }
  const discount = rule.type === "percent" ? (subtotal * rule.value) / 100 : Math.min(rule.value, subtotal);
  return { discount: roundCents(discount), applied: code };
}

module.exports = { sumItems, applyDiscount, roundCents, currency: config.currency, taxRate: config.taxRate };
