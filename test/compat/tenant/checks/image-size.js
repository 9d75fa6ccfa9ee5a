const { imageSize } = require("image-size"); exports.check = () => { const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAIAAAADCAYAAAC56t6BAAAAEklEQVR42mNk+M9QzwAEjDAGACCDAv8cI7IoAAAAAElFTkSuQmCC", "base64"); return (imageSize.default ?? imageSize)(png); };
exports.expected = () => ({"height":3,"width":2,"type":"png"});
