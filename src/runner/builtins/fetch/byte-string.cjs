// WebIDL's ByteString and USVString conversions, as Headers and FormData take their arguments.
function byteString(value, what) {
  const text = String(value);
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) throw new TypeError(what + ": " + JSON.stringify(text) + " is not a valid ByteString (character " + i + " is above 255).");
  }
  return text;
}

function usvString(value) {
  return String(value).toWellFormed();
}

module.exports = { byteString, usvString };
