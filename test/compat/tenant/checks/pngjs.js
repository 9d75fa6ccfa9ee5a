// pngjs reads through its own inflate, which drives zlib's binding (_handle.writeSync) and builds on util.inherits.
const { PNG } = require("pngjs");
exports.check = () => {
  const image = new PNG({ width: 3, height: 2 });
  for (let i = 0; i < image.data.length; i += 4) image.data.set([i * 10, 255 - i * 10, 7, i === 0 ? 128 : 255], i);
  const file = PNG.sync.write(image);
  const back = PNG.sync.read(file);
  // An upload: a 4x3 RGBA PNG from a tenant's event, its size and first pixel.
  const upload = PNG.sync.read(Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAYAAAC09K7GAAAAOElEQVR4AWNmUPXKn7J855l7H5mnrdh99gFzQHJpR1FR0adPRSDw6RNzRffcDUWfPhWBwKdPRUUApuQb0JGSQfkAAAAASUVORK5CYII=", "base64"));
  return [file.subarray(1, 4).toString(), back.width, back.height, Array.from(back.data.subarray(0, 12)), upload.width, upload.height, Array.from(upload.data.subarray(0, 4))];
};
exports.expected = () => ["PNG", 3, 2, [0, 255, 7, 128, 40, 215, 7, 255, 80, 175, 7, 255], 4, 3, [0, 37, 74, 111]];
