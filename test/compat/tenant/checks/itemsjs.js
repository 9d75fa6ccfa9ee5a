const itemsjs = require("itemsjs"); exports.check = () => { const r = itemsjs([{ name: "a", tags: ["x"] }, { name: "b", tags: ["x", "y"] }], { aggregations: { tags: { title: "Tags", size: 10 } }, searchableFields: ["name"] }).search({ per_page: 10, filters: { tags: ["y"] } }); return [r.data.items.map((i) => i.name), r.pagination.total]; };
exports.expected = () => ([["b"],1]);
