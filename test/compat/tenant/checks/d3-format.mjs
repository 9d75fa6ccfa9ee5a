import { format, formatPrefix, formatLocale } from "d3-format";
export const check = () => [format(",.2f")(1234567.891), format(".0%")(0.123), format("$,")(1e6), formatPrefix(",.0", 1e3)(1500), format(".3s")(42e6), formatLocale({ decimal: ",", thousands: ".", grouping: [3], currency: ["", " €"] }).format("$,.2f")(1234.5)];
export const expected = () => (["1,234,567.89","12%","$1,000,000","2k","42.0M","1.234,50 €"]);
