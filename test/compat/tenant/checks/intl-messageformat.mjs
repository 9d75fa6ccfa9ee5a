import { IntlMessageFormat } from "intl-messageformat";
export function check() {
  return [new IntlMessageFormat("You have {n, plural, =0 {no messages} one {# message} other {# messages}}.", "en").format({ n: 3 }),
    new IntlMessageFormat("{g, select, male {He} female {She} other {They}} paid {amt, number, ::currency/EUR}", "en").format({ g: "female", amt: 12.5 }),
    new IntlMessageFormat("Am {d, date, short}", "de").format({ d: new Date(Date.UTC(2024, 0, 15, 12)) })];
}
export const expected = () => (["You have 3 messages.","She paid €12.50","Am 15.1.24"]);
