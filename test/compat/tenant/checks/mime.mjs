import mime from "mime"; export function check() { return [mime.getType("txt"), mime.getType("file.JSON"), mime.getExtension("text/html"), mime.getType("foo.nope")]; }
export const expected = () => (["text/plain","application/json","html",null]);
