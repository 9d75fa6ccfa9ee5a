import { camelCase, snakeCase, pascalCase, kebabCase, constantCase, sentenceCase, split } from "change-case";
export function check() { const s = "hello_world-fooBar 42x"; return [camelCase(s), snakeCase(s), pascalCase(s), kebabCase(s), constantCase(s), sentenceCase(s), split("XMLHttpRequest v2")]; }
export const expected = () => (["helloWorldFooBar_42x","hello_world_foo_bar_42x","HelloWorldFooBar_42x","hello-world-foo-bar-42x","HELLO_WORLD_FOO_BAR_42X","Hello world foo bar 42x",["XML","Http","Request","v2"]]);
