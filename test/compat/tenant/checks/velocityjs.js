const Velocity = require("velocityjs"); exports.check = () => Velocity.render("Hello $name! #foreach($i in $items)[$i]#end #if($n > 1)big#{else}small#end", { name: "V", items: [1, 2], n: 3 });
exports.expected = () => ("Hello V! [1][2] big");
