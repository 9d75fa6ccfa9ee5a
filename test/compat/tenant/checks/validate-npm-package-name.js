const v = require("validate-npm-package-name"); exports.check = () => [v("some-package"), v("Caps"), v("@scope/ok")];
exports.expected = () => ([{"validForNewPackages":true,"validForOldPackages":true},{"validForNewPackages":false,"validForOldPackages":true,"warnings":["name can no longer contain capital letters"]},{"validForNewPackages":true,"validForOldPackages":true}]);
