import { nanoid, customAlphabet } from "nanoid";
export const check = () => [nanoid().length, /^[a-f]{8}$/.test(customAlphabet("abcdef", 8)()), nanoid() !== nanoid()];
export const expected = () => ([21, true, true]);
