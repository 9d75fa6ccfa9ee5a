const { matchSorter } = require("match-sorter"); exports.check = () => [matchSorter(["apple", "banana", "grape", "pineapple"], "ap"), matchSorter([{ name: "Janice" }, { name: "Fred" }, { name: "Jen" }], "j", { keys: ["name"] }).map((x) => x.name)];
exports.expected = () => ([["apple","grape","pineapple"],["Janice","Jen"]]);
