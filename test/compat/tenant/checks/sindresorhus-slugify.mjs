import slugify from "sindresorhus-slugify";
export const check = () => [slugify("I ♥ Dogs & Cats"), slugify("Déjà Vu!", { separator: "_" }), slugify("fooBar 123 $#%")];
export const expected = () => (["i-love-dogs-and-cats","deja_vu","foo-bar-123"]);
