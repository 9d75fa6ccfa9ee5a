const { utcFormat, utcParse, isoParse } = require("d3-time-format"); exports.check = () => [utcFormat("%Y-%m-%d %A %B %j")(new Date(Date.UTC(2024, 1, 29))), utcParse("%d/%m/%Y")("25/12/2023").toISOString(), isoParse("2024-01-02T03:04:05Z").getTime()];
exports.expected = () => (["2024-02-29 Thursday February 060","2023-12-25T00:00:00.000Z",1704164645000]);
