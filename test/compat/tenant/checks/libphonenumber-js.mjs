import { parsePhoneNumberFromString, isValidPhoneNumber, AsYouType } from "libphonenumber-js";
export const check = () => { const p = parsePhoneNumberFromString("+12133734253"); return [p.country, p.formatInternational(), p.formatNational(), isValidPhoneNumber("8 (800) 555-35-35", "RU"), new AsYouType("US").input("2133734")]; };
export const expected = () => ["US", "+1 213 373 4253", "(213) 373-4253", true, "(213) 373-4"];
